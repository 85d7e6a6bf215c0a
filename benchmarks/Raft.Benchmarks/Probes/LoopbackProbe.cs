using System.Net;
using System.Net.Sockets;

namespace HsmRaft.Benchmarks.Probes;

/// <summary>
/// Loopback TCP round trips: a client sends 16 B and waits for the 16 B echo, on blocking sockets with
/// Nagle off. One connection gives the round-trip latency floor; several give the machine's message rate.
/// </summary>
public static class LoopbackProbe
{
    private const int MessageBytes = 16;

    public static IReadOnlyList<ProbeResult> Run(TimeSpan duration) =>
    [
        RunEcho("TCP echo 16 B, 1 connection", 1, duration),
        RunEcho("TCP echo 16 B, 8 connections", 8, duration),
    ];

    private static ProbeResult RunEcho(string name, int connections, TimeSpan duration)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(connections);
        var clients = new List<Socket>();
        var servers = new List<Thread>();
        try
        {
            var result = ProbeResult.Measure(name, connections, duration, _ =>
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                client.Connect(listener.LocalEndPoint!);
                var server = listener.Accept();
                server.NoDelay = true;
                clients.Add(client);
                var echo = new Thread(() => Echo(server)) { IsBackground = true, Name = "probe-echo" };
                echo.Start();
                servers.Add(echo);
                var message = new byte[MessageBytes];
                return () =>
                {
                    client.Send(message);
                    ReceiveExactly(client, message);
                };
            });
            return result;
        }
        finally
        {
            // Closing the clients ends the echo loops (they read end-of-stream).
            foreach (var client in clients) client.Dispose();
            foreach (var server in servers) server.Join();
        }
    }

    private static void Echo(Socket server)
    {
        using (server)
        {
            var buffer = new byte[MessageBytes];
            try
            {
                while (ReceiveExactly(server, buffer)) server.Send(buffer);
            }
            catch (SocketException)
            {
                // The client went away mid-message while the probe shut down.
            }
        }
    }

    private static bool ReceiveExactly(Socket socket, byte[] buffer)
    {
        var received = 0;
        while (received < buffer.Length)
        {
            var n = socket.Receive(buffer, received, buffer.Length - received, SocketFlags.None);
            if (n == 0) return false;
            received += n;
        }
        return true;
    }
}
