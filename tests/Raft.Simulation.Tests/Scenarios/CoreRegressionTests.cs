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

    /// <summary>
    /// Found by seed 215: a follower whose commit index had moved past an append's previous index (a heartbeat carried the commit
    /// before the leader's resent append arrived) acknowledged its commit index and dropped the entries beyond it. The leader
    /// counted the append as answered and never sent those entries again.
    /// </summary>
    [Fact]
    public void AppendBelowTheCommitIndexKeepsTheEntriesBeyondIt()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3);
        var leaderId = c.CheckOneLeader();
        var leader = c[leaderId];
        var follower = c[(leaderId.Value % 3) + 1];
        var n = c.One("a", 3, retry: false);

        // The follower hears nothing from the leader while three more entries commit on the other node.
        c.Network.DropIf = m => m.To == follower.Id && m is AppendEntries or Heartbeat;
        foreach (var cmd in new[] { "b", "c", "d" })
        {
            c.One(cmd, 2, retry: false);
        }

        var term = leader.Status.Term;
        LogEntry[] Entries(long from, long to) => leader.Storage.Log.Where(e => e.Index >= from && e.Index <= to).ToArray();
        AppendEntries Append(long through, long commit) => new()
        {
            From = leaderId, To = follower.Id, Term = term, PrevLogIndex = n, PrevLogTerm = leader.Core!.TermAt(n),
            LeaderCommit = commit, Entries = Entries(n + 1, through),
        };

        // First the follower gets two entries with a commit index covering them, then a resend of them with one more.
        follower.Input("recv", "crafted append 1", core => core.Step(Append(n + 2, n + 2)));
        Assert.Equal(n + 2, follower.Status.CommitIndex);
        follower.Input("recv", "crafted append 2", core => core.Step(Append(n + 3, n + 2)));
        Assert.Equal(n + 3, follower.Status.LastLogIndex);
    }

    /// <summary>
    /// Found with seed 215 too: the leader probed a follower with an append carrying entries up to the last one, then an older
    /// acknowledgement moved it back to pipelining with an empty in-flight window. When the probe was lost, nothing counted as
    /// outstanding, so the stall detection never fired and the follower stayed behind.
    /// </summary>
    [Fact]
    public void LostProbeAfterReturningToPipeliningIsResent()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3);
        var leaderId = c.CheckOneLeader();
        var leader = c[leaderId];
        var follower = c[(leaderId.Value % 3) + 1].Id;
        var n = c.One("a", 3, retry: false);

        // Hold every append to the follower, and (later) its acknowledgements, to deliver them in a chosen order.
        var held = new List<RaftMessage>();
        var holdAcks = false;
        c.Network.DropIf = m =>
        {
            var hold = (m is AppendEntries && m.To == follower) || (holdAcks && m is AppendEntriesResponse { Success: true } && m.From == follower);
            if (hold)
            {
                held.Add(m);
            }

            return hold;
        };
        c.Start(leaderId, "b");
        c.Start(leaderId, "c");
        Assert.True(c.RunUntil(() => c.NCommitted(n + 2).Count == 2, 20));
        var first = held.OfType<AppendEntries>().First(a => a.PrevLogIndex == n);
        var second = held.OfType<AppendEntries>().First(a => a.PrevLogIndex == n + 1);

        // The second append arrives first: rejected, so the leader probes (the probe is held and will be lost).
        c.Deliver(second);
        c.RunTicks(1);
        holdAcks = true;

        // The first append arrives: its acknowledgement reaches the leader late, while the probe is still out.
        c.Deliver(first);
        c.RunTicks(0.5);
        var ack = held.OfType<AppendEntriesResponse>().First();
        c.Network.DropIf = null;
        c.Deliver(ack);
        Assert.True(c.RunUntil(() => c[follower].Kv.Applied >= n + 2, 10 * c.ElectionTicks),
            $"follower {follower} never received entry {n + 2}: {c[follower]}");
    }

    /// <summary>
    /// A follower installs a snapshot past the end of its log and loses power before the log store's compaction is durable. On
    /// restart its store still holds the old, shorter log while the snapshot covers more: the core must have the store compact
    /// through the snapshot, or the next append would leave a gap in the stored log.
    /// </summary>
    [Fact]
    public void RestartAfterInstallingASnapshotBeforeTheLogWasCompacted()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3, tweak: o => o with { SnapshotEvery = 10, SnapshotTrailing = 0 });
        var leaderId = c.CheckOneLeader();
        var follower = c[(leaderId.Value % 3) + 1];
        c.Disconnect(follower.Id.Value);
        for (var i = 0; i < 25; i++)
        {
            c.One($"a{i}", 2, retry: false);
        }

        follower.AfterInstall = n => n.CrashDuringNextPersist(keepNothing: true);
        c.Connect(follower.Id.Value);
        Assert.True(c.RunUntil(() => !follower.IsUp, 10 * c.ElectionTicks), "the follower installed the snapshot and crashed");
        Assert.True(follower.Storage.SnapshotIndex > follower.Storage.LastIndex, "the stored log ends before the snapshot");
        follower.AfterInstall = null;
        follower.Start();
        var index = c.One("b", 3, retry: false);
        Assert.True(follower.Kv.Applied >= index);
    }

    /// <summary>
    /// Found by seed 82: a follower was receiving snapshot S1 when the leader switched to a newer snapshot S2, whose second chunk
    /// arrived before its first. The follower answered that chunk with the offset it expected in S1, labelled as S2's; the leader
    /// took it as "S2 received up to there", never resent S2's last chunk, and the follower never caught up.
    /// </summary>
    [Fact]
    public void ChunkOfAnotherSnapshotIsAnsweredWithOffsetZero()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3);
        var leaderId = c.CheckOneLeader();
        var leader = c[leaderId];
        var follower = c[(leaderId.Value % 3) + 1];
        var answers = new List<InstallSnapshotResponse>();
        c.Network.DropIf = m =>
        {
            if (m is InstallSnapshotResponse r && m.From == follower.Id)
            {
                answers.Add(r);
            }

            return m.To == follower.Id || m.From == follower.Id;
        };
        for (var i = 0; i < 10; i++)
        {
            c.One($"a{i}", 2, retry: false);
        }

        var term = leader.Status.Term;
        var config = leader.Core!.Configuration;
        InstallSnapshot Chunk(long index, long offset) => new()
        {
            From = leaderId, To = follower.Id, Term = term, Metadata = new SnapshotMetadata(index, term, config, 3000),
            Offset = offset, Data = new byte[1024],
        };

        follower.Input("recv", "S1 chunk 0", core => core.Step(Chunk(8, 0)));
        follower.Input("recv", "S2 chunk 1", core => core.Step(Chunk(10, 1024)));
        Assert.Equal(2, answers.Count);
        Assert.Equal((8L, 1024L), (answers[0].SnapshotIndex, answers[0].NextOffset));
        Assert.Equal((10L, 0L), (answers[1].SnapshotIndex, answers[1].NextOffset));
    }

    /// <summary>
    /// Found by seed 6895: the follower restores snapshots on its apply loop, so it answers a duplicate of the last chunk that
    /// arrives meanwhile with "next offset = the snapshot's size" (not done yet). When the final "installed" answer was then lost,
    /// the leader saw the whole snapshot acknowledged, had nothing left to send, and waited for an answer that never came.
    /// </summary>
    [Fact]
    public void WholeSnapshotAcknowledgedButNotInstalledIsResent()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3, tweak: o => o with
        {
            SnapshotEvery = 10,
            SnapshotTrailing = 0,
            InstallLatencyMin = SimTime.Ticks(3),
            InstallLatencyMax = SimTime.Ticks(3),
        });
        var leaderId = c.CheckOneLeader();
        var follower = c[(leaderId.Value % 3) + 1];
        c.Disconnect(follower.Id.Value);
        for (var i = 0; i < 25; i++)
        {
            c.One($"a{i}", 2, retry: false);
        }

        // The last chunk is delivered twice (the copy a tick later, while the follower restores), and the "installed" answer is lost.
        var duplicated = false;
        var lost = false;
        c.Network.DropIf = m =>
        {
            if (!duplicated && m is InstallSnapshot { Done: true } && m.To == follower.Id)
            {
                duplicated = true;
                c.Loop.After(SimTime.Ticks(1), () => c.Deliver(m));
            }

            if (!lost && m is InstallSnapshotResponse { Done: true } && m.From == follower.Id)
            {
                lost = true;
                return true;
            }

            return false;
        };
        c.Connect(follower.Id.Value);
        var index = c.One("b", 2, retry: false);
        Assert.True(c.RunUntil(() => follower.Kv.Applied >= index, 20 * c.ElectionTicks), $"follower never caught up to {index}: {follower}");
        Assert.True(duplicated && lost);
    }
}
