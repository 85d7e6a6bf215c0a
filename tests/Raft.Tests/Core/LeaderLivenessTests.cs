using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Thesis §9.6 and §6.2: pre-vote keeps a node that cannot win from inflating terms and disrupting the cluster, and
/// check-quorum makes a leader cut off from a majority step down, while followers that hear from a leader ignore elections.</summary>
public class LeaderLivenessTests
{
    [Fact]
    public void APartitionedNodeDoesNotRaiseItsTermAndRejoinsWithoutDisruption()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;

        cluster.Isolate(3);
        cluster.TickAll(10 * ElectionTicks);
        Assert.Equal(term, cluster[3].Term);
        Assert.Contains(cluster.Sent, m => m is RequestVote { PreVote: true } && m.From == Id(3)); // it did try

        cluster.Heal();
        cluster.TickAll(ElectionTicks);
        Assert.Equal((Id(1), term), (cluster.Leader!.Id, cluster.Leader.Term));
        Assert.Equal((RaftRole.Follower, term, Id(1)), (cluster[3].Role, cluster[3].Term, cluster[3].Status.LeaderId));
    }

    [Fact]
    public void WithoutPreVoteAPartitionedNodeInflatesItsTermAndDeposesTheLeaderOnReturn()
    {
        // The contrast that shows what pre-vote and check-quorum prevent.
        var cluster = TestCluster.Bootstrap(3, o => (o.PreVote, o.CheckQuorum) = (false, false));
        var term = cluster.Elect(1).Term;

        cluster.Isolate(3);
        cluster.TickAll(10 * ElectionTicks);
        Assert.True(cluster[3].Term >= term + 5);

        cluster.Heal();
        cluster.TickAll(ElectionTicks);
        Assert.True(cluster[1].Term > term + 5);
    }

    [Fact]
    public void APreVoteIsIgnoredByFollowersThatHearFromALeader()
    {
        var cluster = TestCluster.Bootstrap(3);
        var term = cluster.Elect(1).Term;

        // Node 3 no longer hears the leader, but node 2 does: 3's pre-votes reach 2 and go unanswered.
        cluster.Cut(1, 3);
        cluster.TickAll(5 * ElectionTicks);

        Assert.Contains(cluster.Delivered, m => m is RequestVote { PreVote: true } && m.From == Id(3) && m.To == Id(2));
        Assert.DoesNotContain(cluster.Sent, m => m is RequestVoteResponse && m.From == Id(2) && m.To == Id(3));
        Assert.Equal(term, cluster[3].Term);
        Assert.Equal((Id(1), term), (cluster.Leader!.Id, cluster.Leader.Term));
    }

    [Fact]
    public void OnceTheLeaderIsGoneAPreVoteSucceedsAndTheTermRisesByOne()
    {
        var cluster = TestCluster.Bootstrap(3);
        var term = cluster.Elect(1).Term;

        cluster.Crash(1);
        cluster.TickAll(3 * ElectionTicks);

        var leader = cluster.Leader!;
        Assert.NotEqual(Id(1), leader.Id);
        Assert.Equal(term + 1, leader.Term);
    }

    [Fact]
    public void ALeaderThatHearsFromNoQuorumStepsDownWithinTwoElectionTimeouts()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;
        cluster.Isolate(1);

        for (var tick = 1; tick <= 2 * ElectionTicks; tick++)
        {
            leader.Core.Tick();
            if (tick < ElectionTicks)
            {
                Assert.True(leader.Core.IsLeader, $"stepped down after only {tick} ticks");
            }
        }

        Assert.Equal((RaftRole.Follower, term, NodeId.None), (leader.Role, leader.Term, leader.Status.LeaderId));
    }

    [Fact]
    public void ALeaderThatHearsFromAQuorumKeepsLeading()
    {
        var cluster = TestCluster.Bootstrap(3);
        var term = cluster.Elect(1).Term;
        cluster.Crash(3);

        cluster.TickAll(10 * ElectionTicks);

        Assert.Equal((Id(1), term), (cluster.Leader!.Id, cluster.Leader.Term));
    }

    [Fact]
    public void AFollowerInLeaseIgnoresAVoteRequestUnlessItIsALeadershipTransfer()
    {
        var cluster = TestCluster.Bootstrap(3);
        var term = cluster.Elect(1).Term;
        var follower = cluster[2];

        var request = new RequestVote { From = Id(3), To = Id(2), Term = term + 1, LastLogIndex = 100, LastLogTerm = term };
        follower.Core.Step(request);
        Assert.False(follower.Core.HasReady);
        Assert.Equal((term, Id(1)), (follower.Term, follower.Status.LeaderId));

        follower.Core.Step(new RequestVote
        {
            From = Id(3), To = Id(2), Term = term + 1, LastLogIndex = 100, LastLogTerm = term, LeadershipTransfer = true,
        });
        var grant = Assert.IsType<RequestVoteResponse>(Assert.Single(follower.Core.GetReady().MessagesAfterPersist));
        Assert.True(grant.Granted);
        Assert.Equal(term + 1, follower.Term);
    }

    [Fact]
    public void AFollowerOutOfLeaseAnswersVoteRequests()
    {
        var cluster = TestCluster.Bootstrap(3);
        var term = cluster.Elect(1).Term;
        var follower = cluster[2];
        cluster.Crash(1);
        for (var i = 0; i < ElectionTicks && follower.Role == RaftRole.Follower; i++)
        {
            follower.Core.Tick();
        }

        follower.Core.Step(new RequestVote { From = Id(3), To = Id(2), Term = term + 1, LastLogIndex = 100, LastLogTerm = term });

        Assert.Equal(term + 1, follower.Term);
    }
}
