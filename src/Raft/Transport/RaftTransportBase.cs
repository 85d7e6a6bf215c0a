using HsmRaft.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HsmRaft.Transport;

/// <summary>
/// A ready-made <see cref="IRaftTransport"/> for transports that move bytes over connections (TCP, gRPC, QUIC, …).
/// It does everything except the networking: one bounded outbox and one writer loop per peer (so a slow or dead
/// peer never delays another), coalescing of queued messages into batches of frames, size limits, write timeouts,
/// reconnects with exponential backoff and jitter, peer health, and validation of inbound frames.
/// A subclass only listens (<see cref="StartListeningAsync"/>, feeding each inbound connection to
/// <see cref="Receiver"/>) and dials (<see cref="ConnectAsync"/>). See docs/transports.md.
/// </summary>
public abstract partial class RaftTransportBase : IRaftTransport
{
    /// <summary>A batch is closed once it reaches this many bytes; larger messages travel alone.</summary>
    protected const int BatchTargetBytes = 256 * 1024;

    private readonly CancellationTokenSource _stopping = new();
    private readonly ReconnectBackoff _backoff;
    private readonly PeerLinks<PeerLink, RaftMessage> _peers;
    private readonly SemaphoreSlim _listenLock = new(1, 1);
    private bool _listening;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Validated here; an invalid value throws <see cref="ArgumentException"/>.</param>
    /// <param name="serializer">Turns messages into frame payloads.</param>
    /// <param name="loggerFactory">Where to log; null for no logging.</param>
    /// <param name="timeProvider">Clock for backoff delays, timeouts and health timestamps; null for the system clock.</param>
    /// <param name="random">Jitter source; null for a shared one. Pass a seeded instance for reproducible backoff.</param>
    protected RaftTransportBase(
        RaftTransportOptions options,
        IRaftMessageSerializer serializer,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        options.Validate();
        Options = options;
        Serializer = serializer;
        Time = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(GetType().FullName ?? "HsmRaft.Transport");
        _backoff = new ReconnectBackoff(options.ReconnectBackoffMin, options.ReconnectBackoffMax, random ?? new Random());
        Receiver = new RaftFrameReceiver(options, serializer, IsKnownPeer, Logger);
        _peers = new PeerLinks<PeerLink, RaftMessage>(options.LocalNodeId, member => new PeerLink(this, member), this,
            link => OnPeerLinkRemoved(link.Member, link.Completion));
    }

    /// <summary>The validated options.</summary>
    protected RaftTransportOptions Options { get; }

    /// <summary>The payload serializer.</summary>
    protected IRaftMessageSerializer Serializer { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The transport's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Validates inbound frames and delivers them to the handler; feed every inbound connection to it.</summary>
    protected RaftFrameReceiver Receiver { get; }

    /// <summary>Cancelled when the transport is disposed; pass it to accept loops and inbound connections.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>This node's id.</summary>
    public NodeId LocalNodeId => Options.LocalNodeId;

    /// <summary>Inbound connections currently open (for monitoring and tests: a rejected connection holds nothing).</summary>
    public int ActiveInboundConnections => Receiver.ActiveConnections;

    /// <summary>Starts accepting inbound connections (bind, listen, accept loop). Called once by <see cref="StartAsync"/>.</summary>
    protected abstract ValueTask StartListeningAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting and closes inbound connections. Called once by <see cref="DisposeAsync"/>.</summary>
    protected abstract ValueTask StopListeningAsync();

    /// <summary>Opens a connection to <paramref name="peer"/>. Throw to report failure; the base class retries with backoff.
    /// <paramref name="cancellationToken"/> fires after <see cref="RaftTransportOptions.ConnectTimeout"/>.</summary>
    protected abstract ValueTask<IRaftConnection> ConnectAsync(ClusterMember peer, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async ValueTask StartAsync(IRaftMessageHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Receiver.Handler = handler;
        await ListenAsync(cancellationToken).ConfigureAwait(false);
        _peers.Start();
    }

    /// <summary>
    /// Starts listening without starting the node: the transport's address is then known (useful with port 0, to
    /// build a cluster configuration before the nodes exist). Inbound messages wait until <see cref="StartAsync"/>
    /// provides the handler. <see cref="StartAsync"/> calls this itself when needed.
    /// </summary>
    public async ValueTask ListenAsync(CancellationToken cancellationToken = default)
    {
        await _listenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_listening)
            {
                await StartListeningAsync(cancellationToken).ConfigureAwait(false);
                _listening = true;
            }
        }
        finally
        {
            _listenLock.Release();
        }
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_peers.TryGet(message.To, out var link))
        {
            link.Outbox.Enqueue(message);
        }
        else
        {
            TransportLog.SendToUnknownPeer(Logger, message, message.To);
        }
    }

    /// <inheritdoc />
    public void UpdatePeers(IReadOnlyCollection<ClusterMember> peers) => _peers.Update(peers);

    /// <inheritdoc />
    public PeerHealth GetPeerHealth(NodeId peer) => _peers.Health(peer);

    /// <summary>True when <paramref name="id"/> is a current peer (inbound frames from anyone else are rejected).</summary>
    protected bool IsKnownPeer(NodeId id) => _peers.Contains(id);

    /// <summary>True when a current peer has <paramref name="address"/>.</summary>
    protected bool IsPeerAddress(string address) => _peers.HasAddress(address);

    /// <summary>A membership change removed <paramref name="member"/> (or changed its address): its link is stopping, and
    /// <paramref name="stopped"/> completes when its loop has ended. Override to release what was kept for the peer (a
    /// connection pool, a channel). Called while the peer set is being updated: do not block, and do not call
    /// <see cref="UpdatePeers"/> from it.</summary>
    protected virtual void OnPeerLinkRemoved(ClusterMember member, Task stopped)
    {
    }

    /// <summary>The current peer <paramref name="id"/> (its address), or null when it is not a peer.</summary>
    protected ClusterMember? FindPeer(NodeId id) => _peers.TryGet(id, out var link) ? link.Member : null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!await _peers.StopAllAsync().ConfigureAwait(false))
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listening)
        {
            await StopListeningAsync().ConfigureAwait(false);
        }

        await DisposeCoreAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _listenLock.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases subclass resources after the peers and the listener have stopped.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
