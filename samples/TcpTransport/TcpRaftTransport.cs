using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Samples.TcpTransport;

/// <summary>
/// A custom transport in under 200 lines: raw TCP, frames read with System.IO.Pipelines. Each frame is already
/// length-prefixed by its <see cref="RaftFrameHeader"/>, so the byte stream needs no framing of its own.
/// <see cref="RaftTransportBase"/> supplies the per-peer queues, batching, backoff, health and frame validation;
/// this class only listens, accepts and dials. Addresses look like <c>tcp://127.0.0.1:7001</c>.
/// </summary>
public sealed class TcpRaftTransport : RaftTransportBase
{
    private readonly IPEndPoint _listenOn;
    private readonly ConcurrentDictionary<Socket, Task> _inbound = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Creates the transport; it listens on <paramref name="listenOn"/> once started.</summary>
    public TcpRaftTransport(RaftTransportOptions options, IPEndPoint listenOn, IRaftMessageSerializer? serializer = null, ILoggerFactory? loggerFactory = null)
        : base(options, serializer ?? ProtobufRaftMessageSerializer.Instance, loggerFactory)
    {
        _listenOn = listenOn;
    }

    /// <summary>The address peers dial (<see cref="HsmRaft.ClusterMember.Address"/>); known once started.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Parses <c>tcp://IP:port</c>.</summary>
    public static IPEndPoint ParseAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == "tcp" && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, uri.Port)
            : throw new FormatException($"'{address}' is not a TCP transport address; use tcp://IP:port, for example tcp://127.0.0.1:7001.");

    /// <inheritdoc />
    protected override ValueTask StartListeningAsync(CancellationToken cancellationToken)
    {
        var listener = new Socket(_listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // A restarted node must be able to bind its port again while old connections sit in TIME_WAIT.
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(_listenOn);
        listener.Listen(128);
        _listener = listener;
        Address = $"tcp://{listener.LocalEndPoint}";
        _acceptLoop = AcceptLoopAsync(listener);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask StopListeningAsync()
    {
        _listener?.Dispose();
        foreach (var socket in _inbound.Keys)
        {
            socket.Dispose();
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_inbound.Values).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask<IRaftConnection> ConnectAsync(ClusterMember peer, CancellationToken cancellationToken)
    {
        var endpoint = ParseAddress(peer.Address);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new TcpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!Stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(Stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            // Serving starts only once the connection is registered, so its removal at the end cannot come first.
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inbound[socket] = ServeAsync(socket, registered.Task);
            registered.SetResult();
        }
    }

    private async Task ServeAsync(Socket socket, Task registered)
    {
        await registered.ConfigureAwait(false);
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        var input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
        try
        {
            // Validates every frame, awaits the handler per message (backpressure), logs a bad peer once and returns.
            await Receiver.ReceiveAsync(input, remote, Stopping).ConfigureAwait(false);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            socket.Dispose();
            _inbound.TryRemove(socket, out _);
        }
    }

    /// <summary>An outbound connection: batches go out through a <see cref="PipeWriter"/>; a read loop notices when the
    /// peer closes (it never sends anything back).</summary>
    private sealed class TcpConnection : IRaftConnection
    {
        private readonly Socket _socket;
        private readonly PipeWriter _output;
        private readonly CancellationTokenSource _closed = new();

        public TcpConnection(Socket socket)
        {
            _socket = socket;
            _output = PipeWriter.Create(new NetworkStream(socket, ownsSocket: false));
            _ = WatchAsync();
        }

        public CancellationToken Closed => _closed.Token;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
        {
            var result = await _output.WriteAsync(frames, cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                throw new IOException("The connection was closed while writing.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _closed.CancelAsync().ConfigureAwait(false);
            _socket.Dispose();
            await _output.CompleteAsync().ConfigureAwait(false);
        }

        private async Task WatchAsync()
        {
            var buffer = new byte[1];
            try
            {
                while (await _socket.ReceiveAsync(buffer, _closed.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }

            await _closed.CancelAsync().ConfigureAwait(false);
        }
    }
}
