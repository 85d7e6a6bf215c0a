using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.1: terms act as a logical clock. A newer term in any message makes a node adopt it and follow; an older
/// term marks a stale sender, which a leader or candidate learns about from the answer.</summary>
public class TermTests
{
    [Theory]
    [MemberData(nameof(Msg.AllKinds), MemberType = typeof(Msg))]
    public void AFollowerAdoptsANewerTermFromAnyMessage(string kind)
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 5));

        node.Core.Step(Msg.Of(kind, from: 2, to: 1, term: 7));

        var ready = node.Core.GetReady();
        if (kind == nameof(TimeoutNow))
        {
            // Adopts term 7 from the leader, then campaigns at once as it was told to (thesis §3.10).
            Assert.Equal((RaftRole.Candidate, 8L), (node.Role, node.Term));
            Assert.Equal(new HardState(8, Id(1), 0), ready.HardState);
            return;
        }

        Assert.Equal((RaftRole.Follower, 7L), (node.Role, node.Term));
        Assert.Equal(Msg.ComesFromLeader(kind) ? Id(2) : NodeId.None, node.Status.LeaderId);

        // The new term is persisted, and any vote of the old term is gone (a vote request is granted by the same step).
        var expectedVote = kind == nameof(RequestVote) ? Id(2) : NodeId.None;
        Assert.Equal(new HardState(7, expectedVote, 0), ready.HardState);
    }

    [Theory]
    [MemberData(nameof(Msg.AllKinds), MemberType = typeof(Msg))]
    public void ALeaderStepsDownOnANewerTermFromAnyMessage(string kind)
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;
        var message = kind == nameof(RequestVote)
            // A leader ignores ordinary vote requests while its lease lasts (check-quorum); a transfer campaign gets through.
            ? new RequestVote { From = Id(2), To = Id(1), Term = term + 2, LastLogIndex = 100, LastLogTerm = term, LeadershipTransfer = true }
            : Msg.Of(kind, from: 2, to: 1, term: term + 2);

        leader.Core.Step(message);

        // A TimeoutNow of a newer term also makes it campaign at once, in the term after.
        var expected = kind == nameof(TimeoutNow) ? (RaftRole.Candidate, term + 3) : (RaftRole.Follower, term + 2);
        Assert.Equal(expected, (leader.Role, leader.Term));
        Assert.Equal(expected.Item2, leader.Core.GetReady().HardState!.Value.Term);
    }

    [Fact]
    public void APreVoteRequestForANewerTermChangesNothing()
    {
        // Thesis §9.6: a pre-vote asks "would you vote for me in term 6?"; answering it must not move the voter to term 6.
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 5));

        node.Core.Step(new RequestVote { From = Id(2), To = Id(1), Term = 6, PreVote = true, LastLogIndex = 3, LastLogTerm = 5 });

        var ready = node.Core.GetReady();
        var answer = Assert.IsType<RequestVoteResponse>(Assert.Single(ready.Messages));
        Assert.Equal((6L, true, true), (answer.Term, answer.PreVote, answer.Granted));
        Assert.Null(ready.HardState);
        Assert.Equal((RaftRole.Follower, 5L), (node.Role, node.Term));
    }

    [Fact]
    public void ACandidateStepsDownOnANewerTerm()
    {
        var node = CandidateOf3(out var term);

        node.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = term + 1, Granted = false });

        Assert.Equal((RaftRole.Follower, term + 1), (node.Role, node.Term));
    }

    [Theory]
    [InlineData(nameof(AppendEntries))]
    [InlineData(nameof(Heartbeat))]
    [InlineData(nameof(InstallSnapshot))]
    public void AStaleLeadersMessageIsRejectedWithTheNewerTerm(string kind)
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 5, log: Entries(1, 5)));

        node.Core.Step(Msg.Of(kind, from: 2, to: 1, term: 3));

        var ready = node.Core.GetReady();
        var reply = Assert.IsType<AppendEntriesResponse>(Assert.Single(ready.Messages));
        Assert.Equal((Id(2), 5L, false), (reply.To, reply.Term, reply.Success));
        Assert.Null(ready.HardState);
        Assert.Empty(ready.Entries);
        Assert.Equal((RaftRole.Follower, 5L, NodeId.None), (node.Role, node.Term, node.Status.LeaderId));
    }

    [Fact]
    public void AStalePreVoteIsRejectedWithTheNewerTermButAStaleVoteRequestIsIgnored()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 5));

        node.Core.Step(new RequestVote { From = Id(2), To = Id(1), Term = 4, PreVote = true, LastLogIndex = 9, LastLogTerm = 4 });
        node.Core.Step(new RequestVote { From = Id(3), To = Id(1), Term = 4, LastLogIndex = 9, LastLogTerm = 4 });

        var ready = node.Core.GetReady();
        var reply = Assert.IsType<RequestVoteResponse>(Assert.Single(ready.Messages));
        Assert.Equal((Id(2), 5L, false, true), (reply.To, reply.Term, reply.Granted, reply.PreVote));
        Assert.Empty(ready.MessagesAfterPersist);
        Assert.Equal(5, node.Term);
    }

    [Fact]
    public void AnOldLeaderLearnsTheNewTermFromTheRejectionAndStepsDown()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.CheckQuorum = false);
        var oldLeader = cluster.Elect(1);
        cluster.Isolate(1);
        var newLeader = cluster.Elect(2);
        Assert.True(oldLeader.Core.IsLeader, "the isolated leader does not know yet");
        Assert.True(newLeader.Term > oldLeader.Term);

        cluster.Heal();
        oldLeader.Core.Propose(new byte[] { 7 });
        cluster.Process();
        cluster.Deliver(m => m.From == Id(1));
        cluster.Process();
        var rejections = cluster.InFlight.OfType<AppendEntriesResponse>().Where(r => r.To == Id(1)).ToList();
        Assert.Equal(2, rejections.Count);
        Assert.All(rejections, r => Assert.Equal((newLeader.Term, false), (r.Term, r.Success)));
        cluster.Stabilize();

        Assert.Equal((RaftRole.Follower, newLeader.Term), (oldLeader.Role, oldLeader.Term));
        Assert.Equal(Id(2), cluster.Leader!.Id);
    }

    [Fact]
    public void StaleAppendResponsesDoNotCountTowardsCommit()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var ticket = cluster.Propose(1);
        cluster.Process();
        cluster.Take(_ => true);

        // Acknowledgements claiming the entry, but from an earlier term: they are left over from an older leadership.
        foreach (var peer in new[] { 2, 3 })
        {
            leader.Core.Step(new AppendEntriesResponse { From = Id(peer), To = Id(1), Term = leader.Term - 1, Success = true, Index = ticket.Index });
        }

        cluster.Process();
        Assert.True(leader.Status.CommitIndex < ticket.Index);
    }

    [Fact]
    public void StaleVoteResponsesAreNotCounted()
    {
        var node = CandidateOf3(out var term);

        node.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = term - 1, Granted = true });
        node.Core.Step(new RequestVoteResponse { From = Id(3), To = Id(1), Term = term - 1, Granted = true });

        Assert.Equal((RaftRole.Candidate, term), (node.Role, node.Term));
    }

    /// <summary>Node 1 of {1,2,3} campaigning for real (no pre-vote), before any answer.</summary>
    internal static TestNode CandidateOf3(out long term)
    {
        var node = new TestNode(Options(1, o => o.PreVote = false), State(Voters(1, 2, 3), term: 4));
        while (node.Role != RaftRole.Candidate)
        {
            node.Core.Tick();
        }

        term = node.Term;
        Assert.Equal(5, term);
        return node;
    }
}
