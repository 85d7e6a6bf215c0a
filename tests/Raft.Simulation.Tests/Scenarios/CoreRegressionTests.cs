using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Core bugs the random simulation found, each minimised to a deterministic scenario.</summary>
public class CoreRegressionTests
{
    /// <summary>
    /// Found by seed 1: a follower in the pipelined (Replicate) state lost the last AppendEntries of a burst. Nothing new was
    /// proposed afterwards, so no later append exposed the gap, and the leader never resent it: the follower stayed one entry
    /// behind forever.
    /// </summary>
    [Fact]
    public void LostAppendInPipelinedStateIsResent()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3);
        var leader = c.CheckOneLeader();
        c.One("a", 3, retry: false);
        var follower = new NodeId((leader.Value % 3) + 1);
        var dropped = 0;
        c.Network.DropIf = m => dropped == 0 && m is AppendEntries { Entries.Count: > 0 } ae && ae.To == follower && ++dropped == 1;
        var ticket = c.Start(leader, "b")!.Value;
        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count >= 2, 5 * c.ElectionTicks));
        Assert.Equal(1, dropped);

        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count == 3, 5 * c.ElectionTicks),
            $"follower {follower} never received entry {ticket.Index}: {c[follower]}");
    }

    /// <summary>
    /// Found by seed 5: the leader began streaming snapshot S1 to a lagging follower, then took a newer snapshot S2. The snapshot
    /// store keeps only its latest snapshot, so the chunks of S1 could no longer be read, and the leader's progress kept asking
    /// for S1 forever: the follower never caught up.
    /// </summary>
    [Fact]
    public void SnapshotStreamMovesToTheNewestSnapshotWhenTheOldOneIsGone()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3, tweak: o => o with { SnapshotEvery = 10, SnapshotTrailing = 0 });
        var leaderId = c.CheckOneLeader();
        var leader = c[leaderId];
        var follower = new NodeId((leaderId.Value % 3) + 1);
        c.Disconnect(follower.Value);
        for (var i = 0; i < 25; i++)
        {
            c.One($"a{i}", 2, retry: false);
        }

        // The follower returns, but every chunk of the first snapshot is lost; meanwhile the leader takes a newer snapshot.
        c.Network.DropIf = m => m is InstallSnapshot && m.To == follower;
        c.Connect(follower.Value);
        c.RunTicks(5);
        var snapshotsBefore = leader.SnapshotsTaken;
        for (var i = 0; i < 15; i++)
        {
            c.One($"b{i}", 2, retry: false);
        }

        c.RunTicks(5);
        Assert.True(leader.SnapshotsTaken > snapshotsBefore, "the leader took a newer snapshot while streaming the old one");
        c.Network.DropIf = null;
        var last = leader.Status.LastLogIndex;
        Assert.True(c.RunUntil(() => c[follower].Kv.Applied >= last, 20 * c.ElectionTicks),
            $"follower {follower} never caught up to {last}: {c[follower]}; stale chunk requests {leader.StaleChunkRequests}");
        Assert.True(c[follower].SnapshotsInstalled > 0);
    }

    /// <summary>
    /// Found by seed 167: a follower installed the leader's snapshot but its final acknowledgement was lost. Every resent chunk
    /// was then refused ("I already have this"), and the leader, treating the refusal as "probe from where you were", found the
    /// follower still behind its log start and streamed the same snapshot again, forever.
    /// </summary>
    [Fact]
    public void LostSnapshotAcknowledgementDoesNotLoopForever()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3, tweak: o => o with { SnapshotEvery = 10, SnapshotTrailing = 0 });
        var leaderId = c.CheckOneLeader();
        var follower = new NodeId((leaderId.Value % 3) + 1);
        c.Disconnect(follower.Value);
        for (var i = 0; i < 25; i++)
        {
            c.One($"a{i}", 2, retry: false);
        }

        var lost = 0;
        c.Network.DropIf = m => lost == 0 && m is InstallSnapshotResponse { Done: true } && m.From == follower && ++lost == 1;
        c.Connect(follower.Value);
        var index = c.One("b", 2, retry: false);
        Assert.True(c.RunUntil(() => c[follower].Kv.Applied >= index, 20 * c.ElectionTicks),
            $"follower {follower} never caught up to {index}: {c[follower]}");
        Assert.Equal(1, lost);
        Assert.Equal(1, c[follower].SnapshotsInstalled);
    }
}
