using System.Collections.Frozen;
using System.IO.Pipelines;
using HsmRaft.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HsmRaft.Transport.InMemory;

/// <summary>
/// An <see cref="IRaftTransport"/> over an <see cref="InMemoryNetwork"/>, for tests, simulations and samples. It behaves
/// like a network transport — per-peer bounded ordered outboxes, drop-oldest when full, backpressure through the
/// awaited handler, envelope validation (cluster, sender, receiver), health — without sockets. By default message
/// objects are handed over as they are; with a serializer every message is framed, serialized and validated exactly as
/// on a real network, which also exercises the serializer.
/// </summary>
public sealed partial class InMemoryTransport : IRaftTransport
{
    private readonly InMemoryNetwork _network;
    private readonly RaftTransportOptions _options;
    private readonly IRaftMessageSerializer? _serializer;
    private readonly ILogger _logger;
    private readonly RaftFrameReceiver _receiver;
    private readonly byte[] _clusterId;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private FrozenDictionary<NodeId, Link> _links = FrozenDictionary<NodeId, Link>.Empty;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates a transport reachable at <paramref name="address"/> once started.</summary>
    /// <param name="network">The network it lives on.</param>
    /// <param name="address">Its address (any unique string, e.g. <c>inmem://1</c>); peers name it in <see cref="ClusterMember.Address"/>.</param>
    /// <param name="options">Node id, cluster id and limits; validated here.</param>
    /// <param name="serializer">When set, messages travel as serialized frames; when null, as objects.</param>
    /// <param name="loggerFactory">Where to log; null for nowhere.</param>
    public InMemoryTransport(InMemoryNetwork network, string address, RaftTransportOptions options, IRaftMessageSerializer? serializer = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _network = network;
        _options = options;
        _serializer = serializer;
        Address = address;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<InMemoryTransport>();
        _clusterId = RaftFrameHeader.EncodeClusterId(options.ClusterId);
        _receiver = new RaftFrameReceiver(options, serializer, id => _links.ContainsKey(id), _logger);
    }

    /// <summary>This transport's address.</summary>
    public string Address { get; }

    /// <summary>This node's id.</summary>
    public NodeId LocalNodeId => _options.LocalNodeId;

    /// <summary>Inbound connections (peer links and raw connections) currently open.</summary>
    public int ActiveInboundConnections => _receiver.ActiveConnections;

    /// <inheritdoc />
    public ValueTask StartAsync(IRaftMessageHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _receiver.Handler = handler;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _network.Register(Address, this);
            _started = true;
            foreach (var link in _links.Values)
            {
                link.Start();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_links.TryGetValue(message.To, out var link))
        {
            link.Outbox.Enqueue(new Queued(message, _network.Time.GetTimestamp()));
        }
        else
        {
            TransportLog.SendToUnknownPeer(_logger, message.ToString(), message.To);
        }
    }

    /// <inheritdoc />
    public void UpdatePeers(IReadOnlyCollection<ClusterMember> peers)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _links = PeerSet.Reconcile(_links, peers, LocalNodeId, l => l.Member, CreateLink, l => l.Stop());
        }
    }

    private Link CreateLink(ClusterMember member)
    {
        var link = new Link(this, member);
        if (_started)
        {
            link.Start();
        }

        return link;
    }

    /// <inheritdoc />
    public PeerHealth GetPeerHealth(NodeId peer) => _links.TryGetValue(peer, out var link) ? link.Outbox.Health : default;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Link[] links;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            links = [.. _links.Values];
            _links = FrozenDictionary<NodeId, Link>.Empty;
            _network.Unregister(Address, this);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var link in links)
        {
            link.Stop();
        }

        await Task.WhenAll(links.Select(l => l.Completion)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Accepts a raw byte stream (see <see cref="InMemoryNetwork.ConnectRaw"/>); completes when it is closed.</summary>
    internal Task AcceptRawAsync(PipeReader input, string remoteAddress)
    {
        if (_serializer is null)
        {
            throw new InvalidOperationException("Raw byte connections need an InMemoryTransport created with a serializer.");
        }

        var token = _stopping.Token;
        return Task.Run(async () =>
        {
            await _receiver.ReceiveAsync(input, remoteAddress, token).ConfigureAwait(false);
            await input.CompleteAsync().ConfigureAwait(false);
        }, CancellationToken.None);
    }

    /// <summary>Opens the receiving end of a link from another in-memory transport.</summary>
    internal RaftFrameReceiver.InboundSession OpenInbound(string remoteAddress) => _receiver.Open(remoteAddress);

    /// <summary>Cancelled when this transport is disposed: ends handler calls it started.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    private readonly record struct Queued(RaftMessage Message, long EnqueuedAt);
}
