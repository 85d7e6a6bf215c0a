using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.3: the leader replicates its log; followers accept entries only after the log-matching check, replace
/// conflicting suffixes, and acknowledge only what is durable; an entry commits once a majority stores it.</summary>
public class ReplicationTests
{
    private static AppendEntries Append(long term, long prevIndex, long prevTerm, long commit, params LogEntry[] entries) =>
        new() { From = Id(2), To = Id(1), Term = term, PrevLogIndex = prevIndex, PrevLogTerm = prevTerm, LeaderCommit = commit, Entries = entries };

    private static TestNode Follower(long term, params long[] logTerms) =>
        new(Options(1), State(Voters(1, 2, 3), term, log: Entries(logTerms)));

    [Fact]
    public void AnEntryCommitsAndAppliesOnceAMajorityStoresIt()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);
        cluster.Crash(3);

        var ticket = cluster.Propose(1, [1, 2, 3]);
        cluster.Stabilize();
        cluster.TickAll(); // the heartbeat carries the new commit index to the follower

        foreach (var id in new[] { 1, 2 })
        {
            Assert.Equal(ticket.Index, cluster[id].Status.CommitIndex);
            var applied = cluster[id].Applied.Single(e => e.Index == ticket.Index);
            Assert.Equal(ticket.Term, applied.Term);
            Assert.Equal([1, 2, 3], applied.Data.ToArray());
        }
    }

    [Fact]
    public void NothingCommitsWithoutAMajority()
    {
        var cluster = TestCluster.Bootstrap(5);
        var leader = cluster.Elect(1);
        var committed = leader.Status.CommitIndex;
        cluster.Crash(3);
        cluster.Crash(4);
        cluster.Crash(5);

        var ticket = cluster.Propose(1);
        cluster.TickAll(3);

        Assert.Equal(committed, leader.Status.CommitIndex);
        Assert.DoesNotContain(leader.Applied, e => e.Index == ticket.Index);
        Assert.Equal(ticket.Index, cluster[2].Status.LastLogIndex);
    }

    [Fact]
    public void AFollowerAcknowledgesOnlyAfterItsWriteIsDurable()
    {
        var node = Follower(2, 1);

        node.Core.Step(Append(2, 1, 1, 0, Command(2, 2), Command(3, 2)));

        var ready = node.Core.GetReady();
        Assert.Equal([(2L, 2L), (3L, 2L)], Positions(ready.Entries));
        Assert.Empty(ready.Messages);
        var ack = Assert.IsType<AppendEntriesResponse>(Assert.Single(ready.MessagesAfterPersist));
        Assert.Equal((true, 3L, Id(2)), (ack.Success, ack.Index, ack.To));
    }

    [Fact]
    public void TheLeaderReplicatesWhileItWritesItsOwnLog()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);

        var ticket = cluster.Propose(1);
        var ready = leader.Core.GetReady();

        // Thesis §10.2.1: the AppendEntries go out with (not after) the leader's own write of the same entry.
        Assert.Equal([(ticket.Index, ticket.Term)], Positions(ready.Entries));
        var appends = ready.Messages.OfType<AppendEntries>().ToList();
        Assert.Equal([Id(2), Id(3)], appends.Select(a => a.To).Order());
        Assert.All(appends, a => Assert.Equal([(ticket.Index, ticket.Term)], Positions(a.Entries)));
        Assert.Empty(ready.MessagesAfterPersist);
    }

    [Fact]
    public void TheLeaderCountsItselfOnlyOnceItsOwnWriteIsDurable()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var ticket = cluster.Propose(1);

        // The leader's write is still in progress when follower 2 stores the entry and says so.
        var ready = leader.Core.GetReady();
        foreach (var m in ready.Messages)
        {
            cluster.Inject(m);
        }

        cluster.Deliver(m => m.To == Id(2));
        cluster.Process();
        Assert.Equal(1, cluster.Deliver(m => m is AppendEntriesResponse { Success: true } && m.To == Id(1)));
        Assert.True(leader.Status.CommitIndex < ticket.Index, "one follower alone is not a majority of three");

        leader.Core.Advance(ready);
        Assert.Equal(ticket.Index, leader.Status.CommitIndex);
    }

    [Fact]
    public void AFollowerRejectsEntriesThatDoNotFollowItsLog()
    {
        var node = Follower(3, 1, 1, 2);

        node.Core.Step(Append(3, 3, 3, 0, Command(4, 3))); // index 3 exists with another term
        node.Core.Step(Append(3, 6, 3, 0, Command(7, 3))); // index 6 does not exist

        var ready = node.Core.GetReady();
        Assert.Empty(ready.Entries);
        Assert.Empty(ready.MessagesAfterPersist);
        var rejections = ready.Messages.Cast<AppendEntriesResponse>().ToList();
        Assert.All(rejections, r => Assert.False(r.Success));
        Assert.Equal([3L, 6L], rejections.Select(r => r.Index));

        // Hints for the leader's next probe: our last entry not newer than its term.
        Assert.Equal([(3L, 2L), (3L, 2L)], rejections.Select(r => (r.RejectHint, r.ConflictTerm)));
        Assert.Equal([1L, 1, 2], node.LogTerms());
    }

    [Fact]
    public void AFollowerReplacesAConflictingSuffixWithTheLeadersEntries()
    {
        var node = Follower(3, 1, 1, 2, 2, 2);

        node.Core.Step(Append(3, 2, 1, 0, Command(3, 3)));

        node.ProcessReady(_ => { });
        var ready = node.Readies[^1];
        Assert.Equal([1L, 1, 3], node.LogTerms());

        // The write starts at the first conflicting index: the stored suffix from there on is replaced.
        Assert.Equal([(3L, 3L)], Positions(ready.Entries));
        var ack = Assert.IsType<AppendEntriesResponse>(Assert.Single(ready.MessagesAfterPersist));
        Assert.Equal((true, 3L), (ack.Success, ack.Index));
        Assert.Equal([(1L, 1L), (2L, 1L), (3L, 3L)], Positions(node.Log));
    }

    [Fact]
    public void ARepeatedOrShorterAppendKeepsMatchingEntries()
    {
        var node = Follower(1, 1, 1, 1);

        // A delayed copy of an earlier, shorter AppendEntries must not cut entries that agree with the leader.
        node.Core.Step(Append(1, 0, 0, 0, Command(1, 1)));

        var ready = node.Core.GetReady();
        Assert.Empty(ready.Entries);
        Assert.Equal([1L, 1, 1], node.LogTerms());
        var ack = Assert.IsType<AppendEntriesResponse>(Assert.Single(ready.MessagesAfterPersist));
        Assert.Equal((true, 1L), (ack.Success, ack.Index));
    }

    [Fact]
    public void AFollowerCommitsUpToTheLeadersCommitButNotPastWhatTheMessageVerified()
    {
        // Entries 4 and 5 are not vouched for by this message: they may still be replaced, so they must not commit.
        var node = Follower(2, 1, 1, 1, 1, 1);

        node.Core.Step(Append(2, 2, 1, 5, Command(3, 1)));
        Assert.Equal(3, node.Status.CommitIndex);

        node.Core.Step(Append(2, 5, 1, 4));
        Assert.Equal(4, node.Status.CommitIndex);
    }

    [Fact]
    public void AFollowerAppliesEntriesOnlyOnceTheyAreDurable()
    {
        var node = Follower(2, 1);

        // The leader's commit index already covers the new entries, but they are not on this node's disk yet.
        node.Core.Step(Append(2, 1, 1, 3, Command(2, 2), Command(3, 2)));
        var first = node.Core.GetReady();
        Assert.Equal([1L], first.CommittedEntries.Select(e => e.Index));
        Assert.Equal(3, node.Status.CommitIndex);

        node.Core.Advance(first);
        Assert.Equal([2L, 3L], node.Core.GetReady().CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void AFollowerAppliesOnlyCommittedEntries()
    {
        var node = Follower(2, 1);
        node.Core.Step(Append(2, 1, 1, 1, Command(2, 2), Command(3, 2)));
        node.ProcessReady(_ => { });
        Assert.Equal([1L], node.Applied.Select(e => e.Index));

        node.Core.Step(new Heartbeat { From = Id(2), To = Id(1), Term = 2, Commit = 3 });
        node.ProcessReady(_ => { });
        Assert.Equal([1L, 2, 3], node.Applied.Select(e => e.Index));
    }
}
