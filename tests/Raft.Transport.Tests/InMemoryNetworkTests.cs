using HsmRaft.Messages;
using HsmRaft.Transport.Conformance;
using HsmRaft.Transport.InMemory;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace HsmRaft.Transport.Tests;

/// <summary>Fault injection of the in-memory network, with message objects (no serializer), on virtual time.</summary>
public sealed class InMemoryNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLoggerFactory _logs = new();
    private readonly List<InMemoryTransport> _transports = [];
    private InMemoryNetwork _network = null!;

    public Task InitializeAsync()
    {
        _network = new InMemoryNetwork(_time, seed: 11);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_link_delay_holds_messages_until_virtual_time_passes_and_keeps_their_order()
    {
        var (a, _) = await NodeAsync(1);
        var (b, bHandler) = await NodeAsync(2);
        var (_, cHandler) = await NodeAsync(3);
        _network.SetLinkDelay(1, 2, TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 5; i++)
        {
            a.Send(Beat(1, 2, i));
        }

        a.Send(Beat(1, 3, 99));
        await cHandler.WaitForAsync(m => m is Heartbeat, HangGuard, "the undelayed heartbeat to node 3");
        Assert.Empty(bHandler.Received);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        await bHandler.WaitUntilAsync(r => r.Count == 5, HangGuard, "the delayed heartbeats");
        Assert.Equal([0L, 1, 2, 3, 4], bHandler.Received.Cast<Heartbeat>().Select(h => h.Context));
        Assert.Equal(5, a.GetPeerHealth(b.LocalNodeId).SentMessages);
    }

    [Fact]
    public async Task A_partition_loses_messages_across_it_until_healed()
    {
        var (a, _) = await NodeAsync(1);
        var (_, bHandler) = await NodeAsync(2);
        var (_, cHandler) = await NodeAsync(3);
        _network.Partition([1, 3], [2]);
        Assert.False(_network.CanReach(1, 2));
        Assert.True(_network.CanReach(1, 3));

        a.Send(Beat(1, 2, 1));
        await _logs.WaitForWarningAsync("inmem://2", HangGuard);
        var health = a.GetPeerHealth(2);
        Assert.False(health.Connected);
        Assert.Equal(1, health.DroppedMessages);

        a.Send(Beat(1, 3, 2));
        await cHandler.WaitForAsync(m => m is Heartbeat, HangGuard, "the heartbeat inside the partition");

        _network.Heal();
        a.Send(Beat(1, 2, 3));
        var received = await bHandler.WaitForAsync(m => m is Heartbeat, HangGuard, "the heartbeat after healing");
        Assert.Equal(3, ((Heartbeat)received).Context);
        Assert.Single(bHandler.Received);
    }

    [Fact]
    public async Task An_isolated_node_neither_sends_nor_receives()
    {
        var (a, aHandler) = await NodeAsync(1);
        var (b, bHandler) = await NodeAsync(2);
        _network.Isolate(2);
        a.Send(Beat(1, 2, 1));
        b.Send(Beat(2, 1, 1));
        await _logs.WaitForWarningAsync("inmem://2", HangGuard);
        await _logs.WaitForWarningAsync("inmem://1", HangGuard);
        Assert.Empty(aHandler.Received);
        Assert.Empty(bHandler.Received);
    }

    [Fact]
    public async Task Paused_delivery_queues_messages_in_order_and_resumes()
    {
        var (a, _) = await NodeAsync(1);
        var (_, bHandler) = await NodeAsync(2);
        _network.PauseDelivery(2);
        for (var i = 0; i < 50; i++)
        {
            a.Send(Beat(1, 2, i));
        }

        _network.ResumeDelivery(2);
        await bHandler.WaitUntilAsync(r => r.Count == 50, HangGuard, "the paused heartbeats");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), bHandler.Received.Cast<Heartbeat>().Select(h => h.Context));
        Assert.Equal(0, a.GetPeerHealth(2).DroppedMessages);
    }

    [Fact]
    public async Task Random_loss_follows_the_seed()
    {
        const double probability = 0.3;
        var seed = TestSeed.Get(out var replay);
        _network = new InMemoryNetwork(_time, seed) { DropProbability = probability };
        var (a, _) = await NodeAsync(1);
        var (_, bHandler) = await NodeAsync(2);
        for (var i = 0; i < 300; i++)
        {
            a.Send(Beat(1, 2, i));
        }

        // One draw per message, in send order: the survivors are predictable from the seed alone.
        var random = new Random(seed);
        var expected = Enumerable.Range(0, 300).Where(_ => random.NextDouble() >= probability).Select(i => (long)i).ToArray();
        await bHandler.WaitUntilAsync(r => r.Count == expected.Length, HangGuard, $"{expected.Length} surviving heartbeats. {replay}");
        Assert.Equal(expected, bHandler.Received.Cast<Heartbeat>().Select(h => h.Context));
        Assert.Equal(300 - expected.Length, a.GetPeerHealth(2).DroppedMessages);
    }

    [Fact]
    public async Task Messages_from_another_cluster_on_the_same_network_are_rejected_and_logged_once()
    {
        var (_, bHandler) = await NodeAsync(2);
        var stranger = new InMemoryTransport(_network, "inmem://stranger", new RaftTransportOptions { LocalNodeId = 1, ClusterId = "other" }, loggerFactory: _logs);
        _transports.Add(stranger);
        await stranger.StartAsync(new RecordingHandler());
        stranger.UpdatePeers([new ClusterMember(2, "inmem://2")]);
        stranger.Send(Beat(1, 2, 1));
        stranger.Send(Beat(1, 2, 2));

        var rejection = await _logs.WaitForAsync(r => r.Message.Contains("Closed inbound connection from inmem://stranger"), HangGuard, "the rejection");
        Assert.Contains("WrongCluster", rejection.Message);
        await _logs.WaitForWarningAsync("Cannot reach peer 2", HangGuard);
        Assert.Empty(bHandler.Received);
    }

    private async Task<(InMemoryTransport Transport, RecordingHandler Handler)> NodeAsync(NodeId id)
    {
        var transport = new InMemoryTransport(_network, $"inmem://{id}", new RaftTransportOptions { LocalNodeId = id, ClusterId = "sim" }, loggerFactory: _logs);
        _transports.Add(transport);
        var handler = new RecordingHandler();
        await transport.StartAsync(handler);
        foreach (var other in _transports.Where(t => t != transport && t.Address.StartsWith("inmem://", StringComparison.Ordinal)))
        {
            other.UpdatePeers([.. _transports.Where(t => t != other).Select(t => new ClusterMember(t.LocalNodeId, t.Address))]);
        }

        transport.UpdatePeers([.. _transports.Where(t => t != transport).Select(t => new ClusterMember(t.LocalNodeId, t.Address))]);
        return (transport, handler);
    }

    private static Heartbeat Beat(NodeId from, NodeId to, long context) => new() { From = from, To = to, Term = 1, Context = context };
}
