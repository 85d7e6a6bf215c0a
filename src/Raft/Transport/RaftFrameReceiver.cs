using System.Buffers;
using System.IO.Pipelines;
using HsmRaft.Messages;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport;

/// <summary>
/// The inbound half of a transport: turns the bytes of each inbound connection into validated messages for the
/// <see cref="IRaftMessageHandler"/>, awaiting the handler before reading on (backpressure), and closing a connection
/// that sends anything invalid — logged once, with the peer's address — while every other connection keeps flowing.
/// </summary>
public sealed class RaftFrameReceiver
{
    private readonly RaftTransportOptions _options;
    private readonly IRaftMessageSerializer? _serializer;
    private readonly Func<NodeId, bool> _isKnownPeer;
    private readonly ILogger _logger;
    private int _active;

    /// <summary>Creates the receiver.</summary>
    /// <param name="options">Local node id, cluster id and limits.</param>
    /// <param name="serializer">Deserializes payloads; null for transports that pass message objects only.</param>
    /// <param name="isKnownPeer">True for node ids messages are accepted from.</param>
    /// <param name="logger">Where rejections are logged.</param>
    public RaftFrameReceiver(RaftTransportOptions options, IRaftMessageSerializer? serializer, Func<NodeId, bool> isKnownPeer, ILogger logger)
    {
        _options = options;
        _serializer = serializer;
        _isKnownPeer = isKnownPeer;
        _logger = logger;
    }

    private readonly TaskCompletionSource<IRaftMessageHandler> _handler = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Receives the messages. Connections accepted before it is set wait for it (a transport may listen,
    /// and so know its address, before the node that handles its messages exists).</summary>
    public IRaftMessageHandler? Handler
    {
        get => _handler.Task.IsCompletedSuccessfully ? _handler.Task.Result : null;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!_handler.TrySetResult(value) && _handler.Task.Result != value)
            {
                throw new InvalidOperationException("The message handler is already set; a transport is started once.");
            }
        }
    }

    /// <summary>Inbound connections currently open.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Opens a session for one inbound connection; dispose it when the connection ends. Past
    /// <see cref="RaftTransportOptions.MaxInboundConnections"/> the session is <see cref="InboundSession.Refused"/>: the
    /// refusal is logged, and it accepts nothing (close the connection).</summary>
    public InboundSession Open(string remoteAddress)
    {
        var open = Interlocked.Increment(ref _active);
        var session = new InboundSession(this, new RaftFrameReader(_options, _serializer, _isKnownPeer), remoteAddress);
        if (open > _options.MaxInboundConnections)
        {
            session.Refused = true;
            session.Reject($"this node already has {open - 1} inbound connections, the most RaftTransportOptions.MaxInboundConnections allows");
        }

        return session;
    }

    /// <summary>
    /// Reads frames from a byte stream until it ends, is cancelled, or sends something invalid. Never throws for bad
    /// input or network errors; returns when the caller should close the connection.
    /// </summary>
    public async Task ReceiveAsync(PipeReader input, string remoteAddress, CancellationToken cancellationToken)
    {
        using var session = Open(remoteAddress);
        if (session.Refused)
        {
            return;
        }

        var frameDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var midFrame = false;
        try
        {
            while (true)
            {
                ReadResult result;
                if (midFrame)
                {
                    // The rest of a started frame must arrive within FrameReadTimeout: a peer that stalls mid-frame would
                    // otherwise pin a buffer of up to MaxMessageSize on this node.
                    frameDeadline.CancelAfter(_options.FrameReadTimeout);
                    try
                    {
                        result = await input.ReadAsync(frameDeadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        session.Reject($"the peer sent part of a frame and nothing more for {_options.FrameReadTimeout.TotalSeconds:0.###} s " +
                                       "(RaftTransportOptions.FrameReadTimeout)");
                        return;
                    }

                    if (!frameDeadline.TryReset())
                    {
                        // The timer fired just as the read completed: the bytes came in time, so carry on with a fresh timer.
                        frameDeadline.Dispose();
                        frameDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    }
                }
                else
                {
                    result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                }

                var buffer = result.Buffer;
                while (session.Reader.TryRead(ref buffer, out var message))
                {
                    await session.DeliverAsync(message, cancellationToken).ConfigureAwait(false);
                }

                if (result.IsCanceled)
                {
                    return; // the transport is closing the connection
                }

                if (result.IsCompleted)
                {
                    RaftFrameReader.EnsureNothingLeft(buffer);
                    return;
                }

                // Consumed up to the last whole frame; examined everything, so the next read waits for more bytes.
                midFrame = !buffer.IsEmpty;
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (session.TryHandleFailure(e, cancellationToken))
        {
        }
        finally
        {
            frameDeadline.Dispose();
        }
    }

    /// <summary>One inbound connection: its frame reader, and whether its rejection has been logged.</summary>
    public sealed class InboundSession : IDisposable
    {
        private readonly RaftFrameReceiver _owner;
        private bool _rejected;
        private bool _disposed;

        internal InboundSession(RaftFrameReceiver owner, RaftFrameReader reader, string remoteAddress)
        {
            _owner = owner;
            Reader = reader;
            RemoteAddress = remoteAddress;
        }

        /// <summary>Validates this connection's frames.</summary>
        public RaftFrameReader Reader { get; }

        /// <summary>The peer's network address, for logs.</summary>
        public string RemoteAddress { get; }

        /// <summary>True when the connection was refused at <see cref="Open"/> (too many inbound connections): it delivers
        /// nothing, and the caller should close it.</summary>
        public bool Refused { get; internal set; }

        /// <summary>
        /// Delivers every frame in <paramref name="frames"/>, which must hold whole frames only (message-oriented
        /// transports such as gRPC, where one transport message carries one batch). Returns false when the connection
        /// must be closed: invalid input (logged once) or a network failure.
        /// </summary>
        public async ValueTask<bool> ReceiveBatchAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
        {
            if (Refused)
            {
                return false;
            }

            try
            {
                var buffer = new ReadOnlySequence<byte>(frames);
                while (Reader.TryRead(ref buffer, out var message))
                {
                    await DeliverAsync(message, cancellationToken).ConfigureAwait(false);
                }

                RaftFrameReader.EnsureNothingLeft(buffer);
                return true;
            }
            catch (Exception e) when (TryHandleFailure(e, cancellationToken))
            {
                return false;
            }
        }

        /// <summary>Validates a message object and its envelope (transports that do not serialize), then delivers it.
        /// Returns false when it was rejected (logged once).</summary>
        public async ValueTask<bool> ReceiveObjectAsync(ReadOnlyMemory<byte> clusterId, RaftMessage message, CancellationToken cancellationToken)
        {
            if (Refused)
            {
                return false;
            }

            try
            {
                Reader.ValidateEnvelope(clusterId.Span, message.From, message.To);
                Reader.ValidateMessage(new RaftFrameHeader(RaftFrameHeader.CurrentWireVersion, message.Type, 0, message.From, message.To), message);
                await DeliverAsync(message, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (TryHandleFailure(e, cancellationToken))
            {
                return false;
            }
        }

        /// <summary>Hands one validated message to the handler and awaits it: the backpressure point.</summary>
        public async ValueTask DeliverAsync(RaftMessage message, CancellationToken cancellationToken)
        {
            var handler = _owner.Handler ?? await _owner._handler.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await handler.HandleAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A failing handler is this node's bug, not the peer's fault: log it and keep the connection.
                TransportLog.HandlerFailed(_owner._logger, e, message.From);
            }
        }

        /// <summary>Logs a rejection of this connection, only the first time.</summary>
        public void Reject(string reason)
        {
            if (!_rejected)
            {
                _rejected = true;
                TransportLog.InboundRejected(_owner._logger, RemoteAddress, reason);
            }
        }

        /// <summary>Classifies an exception that ended the connection: invalid input is rejected (logged once), network
        /// errors are logged at Debug, cancellation is silent. Returns false for exceptions the caller must not swallow.</summary>
        public bool TryHandleFailure(Exception e, CancellationToken cancellationToken)
        {
            switch (e)
            {
                case RaftFrameException frame:
                    Reject(frame.Message);
                    return true;
                case OperationCanceledException when cancellationToken.IsCancellationRequested:
                    return true;
                case IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException:
                    TransportLog.InboundEnded(_owner._logger, RemoteAddress, e.Message);
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Marks the connection closed.</summary>
        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Interlocked.Decrement(ref _owner._active);
            }
        }
    }
}
