using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Thesis §3.10: the leader stops taking proposals, brings the target's log up to date, then sends it TimeoutNow so it
/// campaigns at once; the transfer gives up after a timeout and the leader serves again.</summary>
public class LeadershipTransferTests
{
    private static CoreCompletion TransferOutcome(TestNode node, long requestId) =>
        Assert.Single(node.Completions, c => c.RequestId == requestId && c.Kind == CompletionKind.LeadershipTransfer);

    [Fact]
    public void TheTargetIsCaughtUpThenToldToCampaignAndWins()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;
        cluster.Cut(1, 3);
        for (var i = 0; i < 3; i++)
        {
            cluster.Propose(1);
        }

        cluster.Stabilize();
        Assert.True(cluster[3].Status.LastLogIndex < leader.Status.LastLogIndex);

        leader.Core.TransferLeadership(9, Id(3));
        cluster.TickAll(3);
        Assert.DoesNotContain(cluster.Sent, m => m is TimeoutNow); // node 3 is behind: no TimeoutNow yet
        Assert.Empty(leader.Completions);

        cluster.Heal();
        cluster.TickAll(3);

        var timeoutNow = Assert.Single(cluster.Sent.OfType<TimeoutNow>());
        Assert.Equal((Id(1), Id(3), term), (timeoutNow.From, timeoutNow.To, timeoutNow.Term));
        Assert.Equal((Id(3), term + 1), (cluster.Leader!.Id, cluster.Leader.Term));
        Assert.Null(TransferOutcome(leader, 9).Error);

        // The followers were hearing from node 1 (in lease), yet voted: the campaign was marked as a transfer.
        Assert.All(cluster.Sent.OfType<RequestVote>().Where(r => r.From == Id(3)), r => Assert.True(r.LeadershipTransfer));
    }

    [Fact]
    public void ATransferRequestedBeforeTheNoOpCommitsWaitsForIt()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Dropping = m => m is AppendEntries;
        var leader = cluster.Elect(1);

        leader.Core.TransferLeadership(3, Id(2));
        cluster.TickAll(2);
        Assert.Empty(leader.Completions);
        Assert.DoesNotContain(cluster.Sent, m => m is TimeoutNow);

        cluster.Dropping = null;
        cluster.TickAll(3);
        Assert.Null(TransferOutcome(leader, 3).Error);
        Assert.Equal(Id(2), cluster.Leader!.Id);
    }

    [Fact]
    public void ProposalsAreRefusedWhileTransferring()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        cluster.Cut(1, 3);
        cluster.Propose(1);
        cluster.Stabilize();

        leader.Core.TransferLeadership(1, Id(3));

        var error = Assert.Throws<RaftException>(() => cluster.Propose(1));
        Assert.IsNotType<NotLeaderException>(error);
        Assert.Contains("handing leadership over to node 3", error.Message);
    }

    [Fact]
    public void AnUnfinishedTransferTimesOutAndTheLeaderServesAgain()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        cluster.Cut(1, 3);
        cluster.Propose(1);
        cluster.Stabilize();

        leader.Core.TransferLeadership(2, Id(3));
        cluster.TickAll(ElectionTicks);

        var outcome = TransferOutcome(leader, 2);
        Assert.Contains($"did not complete within {ElectionTicks} ticks", outcome.Error!.Message);
        Assert.Equal(Id(1), cluster.Leader!.Id);
        var ticket = cluster.Propose(1);
        Assert.Equal(leader.Status.LastLogIndex, ticket.Index);
    }

    [Fact]
    public void TransferToSelfSucceedsAtOnceAndToANonVoterIsRefused()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);

        leader.Core.TransferLeadership(1, Id(1));
        leader.Core.TransferLeadership(2, Id(7));
        cluster.Process();

        Assert.Null(TransferOutcome(leader, 1).Error);
        Assert.Contains("not a voter", TransferOutcome(leader, 2).Error!.Message);
        Assert.Equal(Id(1), cluster.Leader!.Id);
    }

    [Fact]
    public void TransferOnAFollowerFailsNamingTheLeader()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);
        cluster.TickAll();

        cluster[2].Core.TransferLeadership(4, Id(3));
        cluster.Process();

        Assert.Equal(Id(1), Assert.IsType<NotLeaderException>(TransferOutcome(cluster[2], 4).Error).LeaderId);
    }

    [Fact]
    public void WithoutATargetTheMostUpToDateVoterThatAnswersIsChosen()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;
        cluster.Cut(1, 2); // node 2 falls behind and stops answering
        for (var i = 0; i < 3; i++)
        {
            cluster.Propose(1);
        }

        cluster.TickAll(leader.Options.ElectionTicks); // a check-quorum round: node 2 no longer counts as recently active
        leader.Core.TransferLeadership(4, NodeId.None);
        cluster.TickAll(3);

        var timeoutNow = Assert.Single(cluster.Sent.OfType<TimeoutNow>());
        Assert.Equal((Id(1), Id(3), term), (timeoutNow.From, timeoutNow.To, timeoutNow.Term));
        Assert.Null(TransferOutcome(leader, 4).Error);
        Assert.Equal(Id(3), cluster.Leader!.Id);
    }

    [Fact]
    public void WithoutATargetASingleVoterCannotTransfer()
    {
        var cluster = TestCluster.Bootstrap(1);
        var leader = cluster.Elect(1);
        leader.Core.TransferLeadership(5, NodeId.None);
        cluster.Stabilize();
        Assert.Contains("only voter", TransferOutcome(leader, 5).Error!.Message, StringComparison.Ordinal);
    }
}
