using System.Net;
using HsmRaft.Messages;
using HsmRaft.Transport.Conformance;
using Xunit;

namespace HsmRaft.Transport.Grpc.Tests;

/// <summary>gRPC-specific behaviour beyond the conformance suite.</summary>
public sealed class GrpcTransportTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static RaftTransportOptions Options(NodeId id, string cluster = "grpc-test") => new()
    {
        LocalNodeId = id,
        ClusterId = cluster,
        ReconnectBackoffMin = TimeSpan.FromMilliseconds(20),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Listening_first_gives_the_address_and_inbound_messages_wait_for_the_handler()
    {
        var logs = new RecordingLoggerFactory();
        await using var a = new GrpcRaftTransport(Options(1), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        await using var b = new GrpcRaftTransport(Options(2), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        await b.ListenAsync();
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", b.Address);

        var aHandler = new RecordingHandler();
        await a.StartAsync(aHandler);
        a.UpdatePeers([new ClusterMember(2, b.Address)]);
        b.UpdatePeers([new ClusterMember(1, a.Address)]);
        a.Send(new Heartbeat { From = 1, To = 2, Term = 1, Context = 5 });
        await logs.WaitForAsync(r => r.EventId.Id == 9010 && r.Message.Contains(b.Address), HangGuard, "node 1 connected to node 2");

        var bHandler = new RecordingHandler();
        await b.StartAsync(bHandler);
        var received = await bHandler.WaitForAsync(m => m is Heartbeat { Context: 5 }, HangGuard, "the heartbeat sent before node 2 had a handler");
        Assert.Equal((NodeId)1, received.From);
    }

    [Fact]
    public async Task A_removed_peers_channel_is_released_once_its_link_has_stopped()
    {
        var logs = new RecordingLoggerFactory();
        await using var a = new GrpcRaftTransport(Options(1), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        await using var b = new GrpcRaftTransport(Options(2), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        await using var c = new GrpcRaftTransport(Options(3), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        var bHandler = new RecordingHandler();
        var cHandler = new RecordingHandler();
        await b.StartAsync(bHandler);
        await c.StartAsync(cHandler);
        await a.StartAsync(new RecordingHandler());
        b.UpdatePeers([new ClusterMember(1, a.Address)]);
        c.UpdatePeers([new ClusterMember(1, a.Address)]);
        a.UpdatePeers([new ClusterMember(2, b.Address), new ClusterMember(3, c.Address)]);
        a.Send(new Heartbeat { From = 1, To = 2, Term = 1, Context = 7 });
        a.Send(new Heartbeat { From = 1, To = 3, Term = 1, Context = 8 });
        await bHandler.WaitForAsync(m => m is Heartbeat { Context: 7 }, HangGuard, "node 2 reached");
        await cHandler.WaitForAsync(m => m is Heartbeat { Context: 8 }, HangGuard, "node 3 reached");
        Assert.Equal(2, a.OpenPeerChannels);

        // Node 2 leaves the configuration: its channel (and HTTP/2 connection) goes once its link has stopped.
        a.UpdatePeers([new ClusterMember(3, c.Address)]);
        await logs.WaitForAsync(r => r.EventId.Id == 9014 && r.Message.Contains(b.Address), HangGuard, "node 2's channel released");
        Assert.Equal(1, a.OpenPeerChannels);

        // The remaining peer is unaffected, and node 2 can come back: a new channel is made on demand.
        a.Send(new Heartbeat { From = 1, To = 3, Term = 1, Context = 9 });
        await cHandler.WaitForAsync(m => m is Heartbeat { Context: 9 }, HangGuard, "node 3 still reached");
        a.UpdatePeers([new ClusterMember(2, b.Address), new ClusterMember(3, c.Address)]);
        a.Send(new Heartbeat { From = 1, To = 2, Term = 1, Context = 10 });
        await bHandler.WaitForAsync(m => m is Heartbeat { Context: 10 }, HangGuard, "node 2 reached again");
        Assert.Equal(2, a.OpenPeerChannels);
    }

    [Fact]
    public async Task A_peer_of_another_cluster_is_refused_at_the_handshake_with_a_clear_reason()
    {
        var logs = new RecordingLoggerFactory();
        await using var server = new GrpcRaftTransport(Options(1, "blue"), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        await using var stranger = new GrpcRaftTransport(Options(2, "green"), new IPEndPoint(IPAddress.Loopback, 0), loggerFactory: logs);
        var serverHandler = new RecordingHandler();
        await server.StartAsync(serverHandler);
        await stranger.StartAsync(new RecordingHandler());
        server.UpdatePeers([new ClusterMember(2, stranger.Address)]);
        stranger.UpdatePeers([new ClusterMember(1, server.Address)]);

        stranger.Send(new Heartbeat { From = 2, To = 1, Term = 1 });
        var refusal = await logs.WaitForWarningAsync($"Cannot reach peer 1 at {server.Address}", HangGuard);
        Assert.Contains("cluster 'green' but this node is in cluster 'blue'", refusal.Message);
        Assert.Contains(logs.Records, r => r.EventId.Id == 9001 && r.Message.Contains("WrongCluster"));
        Assert.Empty(serverHandler.Received);
    }

    [Fact]
    public void Addresses_that_are_not_IP_URLs_are_refused_with_an_example()
    {
        var error = Assert.Throws<FormatException>(() => GrpcRaftTransport.ParseEndPoint("node-1:7001"));
        Assert.Contains("http://127.0.0.1:5001", error.Message);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7001), GrpcRaftTransport.ParseEndPoint("http://127.0.0.1:7001"));
    }
}
