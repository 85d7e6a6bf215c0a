using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Testing;

namespace HsmRaft.Tests.Runtime;

public class RaftNodeTests
{
    [Fact]
    public async Task ThreeNodesElectALeaderAndReplicateCommands()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();

        for (var i = 1; i <= 20; i++)
        {
            var result = await leader.ProposeAsync(NodeCluster.Command($"cmd-{i}")).AsTask().WaitAsync(NodeCluster.HangGuard);
            Assert.Equal(i, result);
        }

        var applied = leader.Status.CommitIndex;
        await cluster.WaitForAppliedAsync(applied);
        foreach (var sm in cluster.StateMachines.Values)
        {
            Assert.Equal(Enumerable.Range(1, 20).Select(i => $"cmd-{i}"), sm.Items);
        }
    }

    [Fact]
    public async Task ConcurrentProposalsAllCommitInOneOrderEverywhere()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();

        var tasks = Enumerable.Range(0, 500).Select(i => leader.ProposeAsync(NodeCluster.Command($"c{i}")).AsTask()).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(NodeCluster.HangGuard);
        Assert.Equal(Enumerable.Range(1, 500), results.Cast<int>().Order());

        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);
        var reference = cluster.StateMachines[leader.Id].Items;
        Assert.Equal(500, reference.Count);
        foreach (var sm in cluster.StateMachines.Values)
        {
            Assert.Equal(reference, sm.Items);
        }
    }

    [Fact]
    public async Task FollowersRejectProposalsNamingTheLeader()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Nodes.Values.First(n => n.Id != leader.Id);

        var error = await Assert.ThrowsAsync<NotLeaderException>(() => follower.ProposeAsync(NodeCluster.Command("x")).AsTask());
        Assert.Equal(leader.Id, error.LeaderId);
        Assert.Contains($"node {leader.Id}", error.Message);
        await Assert.ThrowsAsync<NotLeaderException>(() => follower.ReadBarrierAsync().AsTask());
    }

    [Fact]
    public async Task ReadBarrierSeesEveryAcknowledgedWrite()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        await leader.ProposeAsync(NodeCluster.Command("a"));
        await leader.ProposeAsync(NodeCluster.Command("b"));

        await leader.ReadBarrierAsync().AsTask().WaitAsync(NodeCluster.HangGuard);
        Assert.Equal(["a", "b"], cluster.StateMachines[leader.Id].Items);
    }

    [Fact]
    public async Task LeaderStopHandsOverAndTheClusterKeepsWriting()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        await leader.ProposeAsync(NodeCluster.Command("before"));

        await cluster.StopAsync(leader.Id);
        var next = await cluster.WaitForLeaderAsync();
        Assert.NotEqual(leader.Id, next.Id);
        await next.ProposeAsync(NodeCluster.Command("after")).AsTask().WaitAsync(NodeCluster.HangGuard);

        await cluster.WaitForAppliedAsync(next.Status.CommitIndex);
        foreach (var sm in cluster.StateMachines.Where(kv => cluster.Nodes.ContainsKey(kv.Key)).Select(kv => kv.Value))
        {
            Assert.Equal(["before", "after"], sm.Items);
        }
    }

    [Fact]
    public async Task RestartedNodeRecoversItsLogAndCatchesUp()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Nodes.Values.First(n => n.Id != leader.Id).Id;
        await leader.ProposeAsync(NodeCluster.Command("one"));
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);

        await cluster.StopAsync(follower);
        await leader.ProposeAsync(NodeCluster.Command("two"));
        await cluster.StartAsync((int)follower.Value);
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);

        Assert.Equal(["one", "two"], cluster.StateMachines[follower].Items);
    }

    [Fact]
    public async Task SnapshotsCompactTheLogAndANewMemberCatchesUpFromOne()
    {
        await using var cluster = new NodeCluster(3, snapshotEveryEntries: 20);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        for (var i = 0; i < 100; i++)
        {
            await leader.ProposeAsync(NodeCluster.Command($"v{i}"));
        }

        await cluster.StartAsync(4, founder: false);
        await leader.ChangeMembershipAsync(new MembershipChange { AddVoters = [NodeCluster.Member(4)] }).WaitAsync(NodeCluster.HangGuard);
        Assert.Contains(new NodeId(4), leader.Status.Configuration.Voters);
        Assert.True(leader.Status.SnapshotIndex > 0, "the leader took a snapshot");

        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);
        var newcomer = cluster.StateMachines[new NodeId(4)];
        Assert.Equal(cluster.StateMachines[leader.Id].Items, newcomer.Items);
        Assert.True(newcomer.Restores >= 1, "the new member restored from a snapshot");
    }

    [Fact]
    public async Task InvalidOptionsFailAtConstructionNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new RaftNode(
            new RaftNodeOptions { Id = new NodeId(1), TickInterval = TimeSpan.Zero },
            new CounterStateMachine(), new Storage.InMemoryLogStore(), new Storage.InMemoryStableStore(), new Storage.InMemorySnapshotStore(),
            new Transport.InMemory.InMemoryTransport(new Transport.InMemory.InMemoryNetwork(), "x", new Transport.RaftTransportOptions { LocalNodeId = new NodeId(1), ClusterId = "t" })));
        Assert.Contains("TickInterval", error.Message);
        await Task.CompletedTask;
    }
}
