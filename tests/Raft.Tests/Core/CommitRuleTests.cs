using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.4.2 and Figure 8: a leader commits only by counting replicas of an entry of its own term (earlier entries
/// commit with it), and it appends a no-op at the start of its term so that happens without waiting for a client.</summary>
public class CommitRuleTests
{
    [Fact]
    public void EveryNewLeaderStartsItsTermWithANoOp()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.CheckQuorum = false);
        foreach (var id in new[] { 1, 2, 3, 1 })
        {
            var before = cluster.Nodes.Values.Max(n => n.Status.LastLogIndex);
            var leader = cluster.Elect(id);

            var noOp = leader.Log[^1];
            Assert.Equal((before + 1, leader.Term, LogEntryKind.NoOp), (noOp.Index, noOp.Term, noOp.Kind));
            Assert.Equal(noOp.Index, leader.Status.CommitIndex);
        }
    }

    [Fact]
    public void AnEarlierTermsEntryOnAMajorityIsNotCommittedUntilAnEntryOfTheCurrentTermIs()
    {
        // Node 1 holds entry 2 of term 2, uncommitted, and wins term 3 (its log gains the no-op 3@3).
        var leader = new TestNode(Options(1), State(Voters(1, 2, 3), term: 2, log: Entries(1, 2)));
        leader.WinElection();
        leader.ProcessReady(_ => { });
        Assert.Equal(0, leader.Status.CommitIndex);

        // Both followers report holding entry 2: it is on all three nodes, yet counting replicas of it commits nothing.
        foreach (var peer in new[] { 2, 3 })
        {
            leader.Core.Step(new AppendEntriesResponse { From = Id(peer), To = Id(1), Term = 3, Success = true, Index = 2 });
        }

        Assert.Equal(0, leader.Status.CommitIndex);

        // Once the no-op of term 3 is on a majority, it commits, and entry 2 with it.
        leader.Core.Step(new AppendEntriesResponse { From = Id(2), To = Id(1), Term = 3, Success = true, Index = 3 });
        Assert.Equal(3, leader.Status.CommitIndex);
    }

    /// <summary>
    /// Figure 8, step by step, with five nodes (CheckQuorum off, as in the paper). (a) S1 leads term 2 and stores 2@2 alone;
    /// (b) S5 leads term 3 and stores 2@3 alone; (c) S1 leads term 4 and puts 2@2 on S2 and S3 — a majority — while its no-op
    /// 3@4 reaches nobody: 2@2 must not commit; (d) S1 crashes and S5 wins term 5 (its last term 3 beats 2) and overwrites 2@2
    /// everywhere. Had S1 committed 2@2 in (c), a committed entry would now be gone.
    /// </summary>
    [Fact]
    public void Figure8AnEntryOnAMajorityFromAnEarlierTermCanStillBeOverwritten()
    {
        var cluster = new TestCluster(Enumerable.Range(1, 5).Select(id => new TestNode(
            Options(id, o => (o.CheckQuorum, o.MaxEntriesPerMessage) = (false, 1)),
            State(Voters(1, 2, 3, 4, 5), term: 1, commit: 1, log: Entries(1)))));

        // (a) S1 wins term 2; its entry 2@2 (the term's no-op) reaches nobody.
        cluster.Dropping = m => m is AppendEntries;
        var s1 = cluster.Elect(1);
        Assert.Equal(2, s1.Term);
        Assert.Equal([1L, 2], s1.LogTerms());

        // (b) S1 is down; S5 wins term 3 and stores 2@3, which reaches nobody either.
        cluster.Crash(1);
        var s5 = cluster.Elect(5);
        Assert.Equal(3, s5.Term);
        Assert.Equal([1L, 3], s5.LogTerms());
        cluster.Crash(5);
        Assert.All(new[] { 2, 3, 4 }, id => Assert.Equal([1L], cluster[id].LogTerms()));

        // (c) S1 restarts and wins term 4 with S2 and S3 (S4 is cut off). Sending one entry per message, it repairs S2 and S3 up
        // to 2@2; every message that would store its no-op 3@4 is lost.
        cluster.Restart(1);
        cluster.Cut(1, 4);
        cluster.Dropping = m => m is AppendEntries a && a.Entries.Any(e => e.Term == 4) &&
                                cluster.Nodes[a.To].Core.TermAt(a.PrevLogIndex) == a.PrevLogTerm;
        cluster.Elect(1);
        Assert.Equal(4, s1.Term);
        Assert.All(new[] { 1, 2, 3 }, id => Assert.Equal(2, cluster[id].Core.TermAt(2)));
        Assert.Equal(1, s1.Status.CommitIndex);

        // (d) S1 crashes; S5 restarts and wins term 5, and replaces 2@2 with its own 2@3 on every node it reaches.
        cluster.Crash(1);
        cluster.Heal();
        cluster.Dropping = null;
        cluster.Restart(5);
        cluster.Elect(5);
        Assert.Equal(5, s5.Term);
        cluster.TickAll(2);

        Assert.All(new[] { 2, 3, 4, 5 }, id => Assert.Equal([1L, 3, 5], cluster[id].LogTerms()));
        Assert.All(new[] { 2, 3, 4, 5 }, id => Assert.Equal(3, cluster[id].Status.CommitIndex));
        Assert.All(cluster.Nodes.Values, n => Assert.DoesNotContain(n.Applied, e => e is { Index: 2, Term: 2 }));
    }

    /// <summary>Figure 8 (e): if instead S1 gets its term-4 entry onto a majority, entries 2 and 3 commit, and S5 can no longer win
    /// an election (its log is behind every node of that majority).</summary>
    [Fact]
    public void Figure8OnceACurrentTermEntryIsOnAMajorityTheEarlierEntriesAreSafe()
    {
        var cluster = new TestCluster(Enumerable.Range(1, 5).Select(id => new TestNode(
            Options(id, o => o.CheckQuorum = false),
            State(Voters(1, 2, 3, 4, 5), term: 3, commit: 1, log: id switch
            {
                1 or 2 => Entries(1, 2),
                5 => Entries(1, 3),
                _ => Entries(1),
            }))));

        cluster.Cut(1, 4);
        cluster.Cut(1, 5);
        var s1 = cluster.Elect(1);
        Assert.Equal(3, s1.Status.CommitIndex);

        cluster.Crash(1);
        cluster.Heal();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            cluster.Campaign(5);
            Assert.NotEqual(RaftRole.Leader, cluster[5].Role);
        }

        Assert.All(new[] { 2, 3 }, id => Assert.Equal([1L, 2, 4], cluster[id].LogTerms()));
    }
}
