using System.Collections.Frozen;
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

    private readonly Lock _peersLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ReconnectBackoff _backoff;
    private FrozenDictionary<NodeId, PeerLink> _peers = FrozenDictionary<NodeId, PeerLink>.Empty;
    private bool _started;
    private bool _disposed;

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
        ObjectDisposedException.ThrowIf(_disposed, this);
        Receiver.Handler = handler;
        await StartListeningAsync(cancellationToken).ConfigureAwait(false);
        lock (_peersLock)
        {
            _started = true;
            foreach (var link in _peers.Values)
            {
                link.Start();
            }
        }
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_peers.TryGetValue(message.To, out var link))
        {
            link.Outbox.Enqueue(message);
        }
        else
        {
            TransportLog.SendToUnknownPeer(Logger, message.ToString(), message.To);
        }
    }

    /// <inheritdoc />
    public void UpdatePeers(IReadOnlyCollection<ClusterMember> peers)
    {
        lock (_peersLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _peers = PeerSet.Reconcile(_peers, peers, Options.LocalNodeId, l => l.Member, CreateLink, l => l.Stop());
        }
    }

    private PeerLink CreateLink(ClusterMember member)
    {
        var link = new PeerLink(this, member);
        if (_started)
        {
            link.Start();
        }

        return link;
    }

    /// <inheritdoc />
    public PeerHealth GetPeerHealth(NodeId peer) =>
        _peers.TryGetValue(peer, out var link) ? link.Outbox.Health : default;

    /// <summary>True when <paramref name="id"/> is a current peer (inbound frames from anyone else are rejected).</summary>
    protected bool IsKnownPeer(NodeId id) => _peers.ContainsKey(id);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        PeerLink[] links;
        lock (_peersLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            links = [.. _peers.Values];
            _peers = FrozenDictionary<NodeId, PeerLink>.Empty;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var link in links)
        {
            link.Stop();
        }

        await Task.WhenAll(links.Select(l => l.Completion)).ConfigureAwait(false);
        if (_started)
        {
            await StopListeningAsync().ConfigureAwait(false);
        }

        await DisposeCoreAsync().ConfigureAwait(false);
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases subclass resources after the peers and the listener have stopped.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
