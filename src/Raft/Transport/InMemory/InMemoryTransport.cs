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
    private readonly PeerLinks<Link, Queued> _links;

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
        _links = new PeerLinks<Link, Queued>(options.LocalNodeId, member => new Link(this, member), this);
        _receiver = new RaftFrameReceiver(options, serializer, _links.Contains, _logger);
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
        _links.Start();
        _network.Register(Address, this);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_links.TryGet(message.To, out var link))
        {
            link.Outbox.Enqueue(new Queued(message, _network.Time.GetTimestamp()));
        }
        else
        {
            TransportLog.SendToUnknownPeer(_logger, message, message.To);
        }
    }

    /// <inheritdoc />
    public void UpdatePeers(IReadOnlyCollection<ClusterMember> peers) => _links.Update(peers);

    /// <inheritdoc />
    public PeerHealth GetPeerHealth(NodeId peer) => _links.Health(peer);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _network.Unregister(Address, this);
        if (await _links.StopAllAsync().ConfigureAwait(false))
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            _stopping.Dispose();
        }
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
