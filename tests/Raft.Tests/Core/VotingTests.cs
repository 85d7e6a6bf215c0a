using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.2 and §5.4.1: how votes are requested, granted, made durable and counted.</summary>
public class VotingTests
{
    private static RequestVote Vote(int from, long term, long lastIndex = 0, long lastTerm = 0, bool preVote = false) =>
        new() { From = Id(from), To = Id(1), Term = term, LastLogIndex = lastIndex, LastLogTerm = lastTerm, PreVote = preVote };

    [Fact]
    public void AGrantedVoteIsPersistedBeforeItIsSent()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 1));

        node.Core.Step(Vote(from: 2, term: 2));

        var ready = node.Core.GetReady();
        Assert.Empty(ready.Messages);
        var grant = Assert.IsType<RequestVoteResponse>(Assert.Single(ready.MessagesAfterPersist));
        Assert.Equal((Id(2), 2L, true, false), (grant.To, grant.Term, grant.Granted, grant.PreVote));
        Assert.Equal(new HardState(2, Id(2), 0), ready.HardState);
        Assert.True(ready.MustPersist);
    }

    [Fact]
    public void ACandidatePersistsItsTermAndOwnVoteBeforeAskingForVotes()
    {
        var node = TermTests.CandidateOf3(out var term);

        var ready = node.Core.GetReady();

        Assert.Equal(new HardState(term, Id(1), 0), ready.HardState);
        Assert.Empty(ready.Messages.OfType<RequestVote>());
        var requests = ready.MessagesAfterPersist.OfType<RequestVote>().ToList();
        Assert.Equal([Id(2), Id(3)], requests.Select(r => r.To).Order());
        Assert.All(requests, r => Assert.Equal((term, false), (r.Term, r.PreVote)));
    }

    [Fact]
    public void APreCandidateChangesNothingDurable()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 4));
        while (node.Role == RaftRole.Follower)
        {
            node.Core.Tick();
        }

        var ready = node.Core.GetReady();

        Assert.Equal((RaftRole.PreCandidate, 4L), (node.Role, node.Term));
        Assert.Null(ready.HardState);
        var requests = ready.Messages.OfType<RequestVote>().ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal((5L, true), (r.Term, r.PreVote)));
    }

    [Fact]
    public void AtMostOneVotePerTerm()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 1));
        node.Core.Step(Vote(from: 2, term: 2));
        node.Core.GetReady();

        node.Core.Step(Vote(from: 3, term: 2));
        node.Core.Step(Vote(from: 2, term: 2));

        var ready = node.Core.GetReady();
        var refusal = Assert.IsType<RequestVoteResponse>(Assert.Single(ready.Messages));
        Assert.Equal((Id(3), false), (refusal.To, refusal.Granted));

        // The candidate it voted for may ask again (its request or our answer was lost): the same vote is granted again.
        var again = Assert.IsType<RequestVoteResponse>(Assert.Single(ready.MessagesAfterPersist));
        Assert.Equal((Id(2), true), (again.To, again.Granted));
    }

    [Fact]
    public void AVoteSurvivesARestart()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 1));
        node.Core.Step(Vote(from: 2, term: 2));
        node.ProcessReady(_ => { });

        node.Restart();
        node.Core.Step(Vote(from: 3, term: 2));

        var refusal = Assert.IsType<RequestVoteResponse>(Assert.Single(node.Core.GetReady().Messages));
        Assert.False(refusal.Granted);
        Assert.Equal(new HardState(2, Id(2), 0), node.HardState);
    }

    /// <summary>§5.4.1: the voter's log ends with entry 3 of term 2. A candidate is at least as up to date when its last term is
    /// higher, or equal with a log at least as long.</summary>
    [Theory]
    [InlineData(3, 2, true)] // higher last term, shorter log
    [InlineData(1, 5, false)] // lower last term, longer log
    [InlineData(2, 3, true)] // same last term, same length
    [InlineData(2, 4, true)] // same last term, longer log
    [InlineData(2, 2, false)] // same last term, shorter log
    public void AVoteGoesOnlyToALogAtLeastAsUpToDate(long lastTerm, long lastIndex, bool granted)
    {
        foreach (var preVote in new[] { false, true })
        {
            var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 2, log: Entries(1, 1, 2)));

            node.Core.Step(Vote(from: 2, term: 3, lastIndex, lastTerm, preVote));

            var ready = node.Core.GetReady();
            var answer = ready.Messages.Concat(ready.MessagesAfterPersist).OfType<RequestVoteResponse>().Single();
            Assert.Equal(granted, answer.Granted);
            Assert.Equal(preVote, answer.PreVote);
        }
    }

    [Fact]
    public void ACandidateWinsWithAMajorityAndLosesWithAMajorityOfRefusals()
    {
        var winner = TermTests.CandidateOf3(out var term);
        winner.Core.Step(new RequestVoteResponse { From = Id(3), To = Id(1), Term = term, Granted = true });
        Assert.Equal(RaftRole.Leader, winner.Role);

        var loser = TermTests.CandidateOf3(out term);
        loser.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = term, Granted = false });
        Assert.Equal(RaftRole.Candidate, loser.Role);
        loser.Core.Step(new RequestVoteResponse { From = Id(3), To = Id(1), Term = term, Granted = false });
        Assert.Equal((RaftRole.Follower, term), (loser.Role, loser.Term));
    }

    [Fact]
    public void OnlyVotersVotesAreCounted()
    {
        // Voters {1,2,3}; learners 4 and 5 receive the log but have no say; node 9 is not a member at all.
        var config = WithLearners([1, 2, 3], [4, 5]);
        var node = new TestNode(Options(1, o => o.PreVote = false), State(config, term: 1));
        while (node.Role != RaftRole.Candidate)
        {
            node.Core.Tick();
        }

        var requests = node.Core.GetReady().MessagesAfterPersist.OfType<RequestVote>();
        Assert.Equal([Id(2), Id(3)], requests.Select(r => r.To).Order());

        foreach (var outsider in new[] { 4, 5, 9 })
        {
            node.Core.Step(new RequestVoteResponse { From = Id(outsider), To = Id(1), Term = node.Term, Granted = true });
        }

        Assert.Equal(RaftRole.Candidate, node.Role);
        node.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = node.Term, Granted = true });
        Assert.Equal(RaftRole.Leader, node.Role);
    }

    [Fact]
    public void ALearnerNeverCampaigns()
    {
        var learner = new TestNode(Options(4), State(WithLearners([1, 2, 3], [4]), term: 1));

        for (var i = 0; i < 10 * ElectionTicks; i++)
        {
            learner.Core.Tick();
        }

        Assert.Equal((RaftRole.Follower, 1L), (learner.Role, learner.Term));
        Assert.False(learner.Core.HasReady);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACandidateFollowsALeaderOfItsTerm(bool heartbeat)
    {
        var node = TermTests.CandidateOf3(out var term);
        node.Core.GetReady();

        RaftMessage fromLeader = heartbeat
            ? new Heartbeat { From = Id(3), To = Id(1), Term = term }
            : new AppendEntries { From = Id(3), To = Id(1), Term = term, Entries = [Command(1, term)] };
        node.Core.Step(fromLeader);

        Assert.Equal((RaftRole.Follower, term, Id(3)), (node.Role, node.Term, node.Status.LeaderId));

        // The message is then handled as a follower would: the entry is appended and acknowledged after persisting.
        var ready = node.Core.GetReady();
        if (!heartbeat)
        {
            Assert.Equal([(1L, term)], ready.Entries.Select(e => (e.Index, e.Term)));
            var ack = Assert.IsType<AppendEntriesResponse>(Assert.Single(ready.MessagesAfterPersist));
            Assert.Equal((true, 1L), (ack.Success, ack.Index));
        }
        else
        {
            Assert.IsType<HeartbeatResponse>(Assert.Single(ready.Messages));
        }
    }

    [Fact]
    public void APreCandidateFollowsALeaderOfItsTerm()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 4));
        while (node.Role == RaftRole.Follower)
        {
            node.Core.Tick();
        }

        node.Core.Step(new AppendEntries { From = Id(2), To = Id(1), Term = 4 });

        Assert.Equal((RaftRole.Follower, 4L, Id(2)), (node.Role, node.Term, node.Status.LeaderId));
    }

    [Fact]
    public void ASplitVoteEndsInANewElectionWithAHigherTerm()
    {
        var node = TermTests.CandidateOf3(out var term);
        node.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = term, Granted = false });
        node.Core.GetReady();

        while (node.Term == term)
        {
            node.Core.Tick();
        }

        Assert.Equal((RaftRole.Candidate, term + 1), (node.Role, node.Term));
        Assert.Equal(2, node.Core.GetReady().MessagesAfterPersist.OfType<RequestVote>().Count(r => r.Term == term + 1));
    }
}
