using System.Net;
using System.Net.Sockets;
using HsmRaft.Transport.Conformance;

namespace HsmRaft.Transport.Samples.Tests;

/// <summary>A raw TCP connection for the conformance suite's bad-input tests.</summary>
internal sealed class TcpRawConnection : IRawConnection
{
    private readonly Socket _socket;

    private TcpRawConnection(Socket socket)
    {
        _socket = socket;
        Closed = WatchAsync();
    }

    public string LocalAddress => _socket.LocalEndPoint!.ToString()!;

    public Task Closed { get; }

    public static async ValueTask<TcpRawConnection> OpenAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return new TcpRawConnection(socket);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _socket.SendAsync(bytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The endpoint already closed the connection, as it should after bad input.
        }
    }

    public ValueTask CompleteAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The endpoint never sends; a read returns when it closes the connection.</summary>
    private async Task WatchAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (await _socket.ReceiveAsync(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
