using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Store;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// Three nodes over the real gRPC transport on loopback, with file storage: election, replication, a dead leader's replacement, a
/// restart that recovers from disk, and a snapshot sent over the network to a node that joins after the log was compacted.
/// </summary>
public class GrpcClusterTests
{
    [Fact]
    public async Task Three_nodes_over_grpc_elect_replicate_replace_a_dead_leader_and_recover_a_restarted_node()
    {
        await using var cluster = new GrpcNodeCluster(3);
        for (ulong id = 1; id <= 3; id++)
        {
            await cluster.StartAsync(id);
        }

        var leader = await cluster.WaitForLeaderAsync();
        await WriteAsync(leader, "a", 100);
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);
        AssertSameState(cluster, expectedKeys: 100);

        // The leader dies without handing over: the other two time out, elect one of themselves, and keep committing.
        var dead = leader.Id;
        var deadTerm = leader.Status.Term;
        await cluster.StopHardAsync(dead);
        var next = await cluster.WaitForLeaderAsync(aboveTerm: deadTerm);
        Assert.NotEqual(dead, next.Id);
        await WriteAsync(next, "b", 100);

        // Restarted on its directory, it recovers its log from disk and receives what it missed.
        await cluster.StartAsync(dead.Value);
        await cluster.WaitForAppliedAsync(next.Status.CommitIndex);
        AssertSameState(cluster, expectedKeys: 200);
        Assert.Equal(0, cluster.StateMachines[dead].Restores);
    }

    [Fact]
    public async Task A_node_added_after_log_compaction_is_brought_up_by_a_snapshot_sent_over_grpc()
    {
        await using var cluster = new GrpcNodeCluster(3, snapshotEvery: 50);
        for (ulong id = 1; id <= 3; id++)
        {
            await cluster.StartAsync(id);
        }

        var leader = await cluster.WaitForLeaderAsync();
        var written = 0;
        while (leader.Status.SnapshotIndex == 0)
        {
            // Snapshots are written in the background after every 50 applied entries; keep writing until one is reported.
            await WriteAsync(leader, $"s{written}-", 25);
            written += 25;
            Assert.True(written <= 5000, $"The leader took no snapshot after {written} writes: {leader.Status}");
        }

        var fresh = await cluster.StartAsync(4);
        await leader.ChangeMembershipAsync(new MembershipChange { AddVoters = [cluster.Address(4)] }).WaitAsync(GrpcNodeCluster.HangGuard);
        await WriteAsync(leader, "after", 10);
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);

        // The leader kept only 10 entries below its snapshot, so node 4 could not have been caught up from the log alone.
        Assert.True(cluster.StateMachines[fresh.Id].Restores >= 1, $"node 4 never restored a snapshot: {fresh.Status}");
        Assert.True(fresh.Status.SnapshotIndex > 0);
        Assert.Contains(fresh.Id, leader.Status.Configuration.Voters);
        AssertSameState(cluster, expectedKeys: written + 10);
    }

    /// <summary>Writes <paramref name="count"/> distinct keys concurrently and checks each was applied.</summary>
    private static async Task WriteAsync(RaftNode leader, string prefix, int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count)
            .Select(i => leader.ProposeAsync(GrpcNodeCluster.Put($"{prefix}{i}", $"value-{prefix}{i}")).AsTask()))
            .WaitAsync(GrpcNodeCluster.HangGuard);
        Assert.All(results, r => Assert.True(((KvResult)r!).Succeeded));
    }

    private static void AssertSameState(GrpcNodeCluster cluster, int expectedKeys)
    {
        var states = cluster.StateMachines.Values.Select(sm => sm.State.Data).ToList();
        Assert.All(states, s => Assert.Equal(expectedKeys, s.Count));
        foreach (var state in states.Skip(1))
        {
            Assert.Equal(states[0].OrderBy(p => p.Key, StringComparer.Ordinal), state.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }
}
