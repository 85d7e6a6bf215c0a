using System.Diagnostics.Metrics;
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
        long chunksSent = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "raft.snapshot_chunks_sent")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref chunksSent, value));
        listener.Start();

        await using var cluster = new NodeCluster(3, snapshotEveryEntries: 400, snapshotChunkSize: chunk);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var value = new string('x', 2700);
        for (var i = 0; i < 420; i++)
        {
            await leader.ProposeAsync(NodeCluster.Command($"{i}:{value}"));
        }

        await cluster.StartAsync(4, founder: false);
        await leader.ChangeMembershipAsync(new MembershipChange { AddLearners = [NodeCluster.Member(4)] }).WaitAsync(NodeCluster.HangGuard);
        await cluster.WaitForAppliedAsync(leader.Status.CommitIndex);

        var newcomer = cluster.StateMachines[new NodeId(4)];
        Assert.Equal(1, newcomer.Restores);
        Assert.Equal(cluster.StateMachines[leader.Id].Items, newcomer.Items);
        Assert.True(Interlocked.Read(ref chunksSent) >= 1000, $"expected at least 1000 chunks of {chunk} B, saw {chunksSent}");
    }
}
