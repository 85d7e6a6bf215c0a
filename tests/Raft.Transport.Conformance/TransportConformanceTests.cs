using HsmRaft.Messages;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HsmRaft.Transport.Conformance;

/// <summary>
/// The conformance suite every <see cref="IRaftTransport"/> must pass: delivery of every message type, per-peer order,
/// batching, large snapshot chunks, size limits, no head-of-line blocking behind slow or dead peers, backpressure,
/// reconnects, health, and rejection of bad input (each bad connection closed and logged once, with nothing held for it,
/// while good peers keep being served) — plus a fuzz test. Derive a class in your test project, implement the abstract
/// members, and xunit runs the inherited tests against your transport. See docs/transports.md.
/// </summary>
public abstract partial class TransportConformanceTests : IAsyncLifetime
{
    /// <summary>The cluster id every node of the suite uses.</summary>
    protected const string ClusterId = "conformance";

    /// <summary>The hang guard of every wait: tests await real events; this only bounds a broken run.</summary>
    protected static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly List<IRaftTransport> _transports = [];

    /// <summary>Every log event of every node of the test.</summary>
    protected RecordingLoggerFactory Logs { get; } = new();

    /// <summary>The serializer the transport under test uses (the suite crafts raw frames with it).</summary>
    protected abstract IRaftMessageSerializer Serializer { get; }

    /// <summary>Creates (does not start) a transport with <paramref name="options"/>, logging to <paramref name="loggerFactory"/>.</summary>
    /// <param name="options">The node's options.</param>
    /// <param name="loggerFactory">Log here: the suite checks what is logged.</param>
    /// <param name="address">Null for any free address; otherwise listen exactly there (a restarted node).</param>
    protected abstract IRaftTransport CreateTransport(RaftTransportOptions options, ILoggerFactory loggerFactory, string? address);

    /// <summary>The address peers reach a started transport at (the value for <see cref="ClusterMember.Address"/>).</summary>
    protected abstract string GetAddress(IRaftTransport transport);

    /// <summary>Opens a raw connection to a started transport, presenting itself as <paramref name="claimedSender"/>
    /// where the transport has a connection handshake.</summary>
    protected abstract ValueTask<IRawConnection> ConnectRawAsync(IRaftTransport target, NodeId claimedSender);

    /// <summary>The number of inbound connections the transport holds open.</summary>
    protected abstract int ActiveInboundConnections(IRaftTransport transport);

    /// <summary>Options for node <paramref name="id"/>; the defaults reconnect quickly so the suite runs fast.</summary>
    protected virtual RaftTransportOptions CreateOptions(NodeId id) => new()
    {
        LocalNodeId = id,
        ClusterId = ClusterId,
        ReconnectBackoffMin = TimeSpan.FromMilliseconds(20),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
        WriteTimeout = TimeSpan.FromSeconds(2),
        PeerQueueCapacity = 10_000,
    };

    /// <summary>A started node of the test.</summary>
    protected sealed record Node(NodeId Id, IRaftTransport Transport, RecordingHandler Handler, string Address)
    {
        /// <summary>This node as a cluster member.</summary>
        public ClusterMember Member => new(Id, Address);
    }

    /// <summary>Creates and starts a node.</summary>
    protected async Task<Node> StartNodeAsync(NodeId id, Action<RaftTransportOptions>? configure = null, string? address = null)
    {
        var options = CreateOptions(id);
        configure?.Invoke(options);
        var transport = CreateTransport(options, Logs, address);
        _transports.Add(transport);
        var handler = new RecordingHandler();
        await transport.StartAsync(handler).AsTask().WaitAsync(HangGuard);
        return new Node(id, transport, handler, GetAddress(transport));
    }

    /// <summary>Starts a node and stops it again, leaving an address where nothing listens.</summary>
    protected async Task<string> DeadAddressAsync(NodeId id)
    {
        var node = await StartNodeAsync(id);
        await StopAsync(node);
        return node.Address;
    }

    /// <summary>Stops a node.</summary>
    protected async Task StopAsync(Node node)
    {
        node.Handler.Release();
        _transports.Remove(node.Transport);
        await node.Transport.DisposeAsync().AsTask().WaitAsync(HangGuard);
    }

    /// <summary>Makes every node a peer of every other.</summary>
    protected static void Mesh(params Node[] nodes)
    {
        foreach (var node in nodes)
        {
            node.Transport.UpdatePeers([.. nodes.Where(n => n != node).Select(n => n.Member)]);
        }
    }

    /// <summary>Starts two meshed nodes and proves the connection from the first to the second with one heartbeat.</summary>
    protected async Task<(Node A, Node B)> StartConnectedPairAsync()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        a.Transport.Send(Beat(a, b, 0));
        await WaitForBeatsAsync(b, a, 1);
        return (a, b);
    }

    /// <summary>Sends <paramref name="count"/> heartbeats (numbered from 0) while the receiver's handler is blocked on the
    /// first, then releases it and waits for all of them.</summary>
    protected static async Task SendWhileReceiverIsBlockedAsync(Node from, Node to, int count)
    {
        to.Handler.Block();
        for (var i = 0; i < count; i++)
        {
            from.Transport.Send(Beat(from, to, i));
        }

        await WaitForBeatsAsync(to, from, 1);
        to.Handler.Release();
        await WaitForBeatsAsync(to, from, count);
    }

    /// <summary>A small numbered message: heartbeat <paramref name="sequence"/> from one node to another.</summary>
    protected static Heartbeat Beat(Node from, Node to, long sequence) => new() { From = from.Id, To = to.Id, Term = 1, Commit = 0, Context = sequence };

    /// <summary>Waits until <paramref name="node"/> has received <paramref name="count"/> heartbeats from <paramref name="from"/>.</summary>
    protected static Task WaitForBeatsAsync(Node node, Node from, int count) =>
        node.Handler.WaitUntilAsync(r => r.Count(m => m is Heartbeat && m.From == from.Id) >= count, HangGuard, $"{count} heartbeats from node {from.Id}");

    /// <summary>The heartbeat sequence numbers <paramref name="node"/> received from <paramref name="from"/>, in order.</summary>
    protected static long[] BeatsFrom(Node node, Node from) =>
        [.. node.Handler.Received.OfType<Heartbeat>().Where(m => m.From == from.Id).Select(m => m.Context)];

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync().AsTask().WaitAsync(HangGuard);
        }
    }
}
