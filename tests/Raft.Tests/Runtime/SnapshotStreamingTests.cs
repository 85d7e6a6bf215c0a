using HsmRaft.Core;
using HsmRaft.Runtime;

namespace HsmRaft.Tests.Runtime;

public class SnapshotStreamingTests
{
    /// <summary>Issue 7: a snapshot 1000× larger than the chunk size reaches a new member chunk by chunk (the leader reads one
    /// chunk at a time from the snapshot store; the follower writes each chunk to its sink as it arrives).</summary>
    [Fact]
    public async Task ASnapshotAThousandChunksLongStreamsToANewMember()
    {
        const int chunk = 1024;
        await using var cluster = new NodeCluster(3, snapshotEveryEntries: 400, snapshotChunkSize: chunk);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var value = new string('x', 2700);
        var i = 0;
        for (; i < 420; i++)
        {
            await leader.ProposeAsync(NodeCluster.Command($"{i}:{value}"));
        }

        // The snapshot is written in the background; keep writing until it is durable and the log compacted behind it.
        while (leader.Status.SnapshotIndex == 0)
        {
            await leader.ProposeAsync(NodeCluster.Command($"{i++}:{value}")).AsTask().WaitAsync(NodeCluster.HangGuard);
        }

        await cluster.StartAsync(4, founder: false);
        await leader.ChangeMembershipAsync(new MembershipChange { AddLearners = [NodeCluster.Member(4)] }).WaitAsync(NodeCluster.HangGuard);
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);

        var newcomer = cluster.StateMachines[new NodeId(4)];
        Assert.True(newcomer.Restores >= 1, "the new member restored from a snapshot");
        Assert.Equal(cluster.StateMachines[leader.Id].Items, newcomer.Items);
        var chunksSent = leader.Metrics.SnapshotChunksSentTotal;
        Assert.True(chunksSent >= 1000, $"expected at least 1000 chunks of {chunk} B, saw {chunksSent}");
    }
}
