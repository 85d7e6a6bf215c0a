using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Thesis §6.4: a linearizable read is served at the commit index the leader had when the read arrived, once a
/// heartbeat round acknowledged by a majority proves it still leads, and never before its term's no-op commits.</summary>
public class ReadIndexTests
{
    private static List<Heartbeat> ReadRounds(TestCluster cluster) =>
        cluster.InFlight.OfType<Heartbeat>().Where(h => h.Context > 0).ToList();

    [Fact]
    public void AReadIsAnsweredOnlyAfterAMajorityAcknowledgesAHeartbeatRound()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var commit = leader.Status.CommitIndex;

        leader.Core.ReadIndex(7);
        cluster.Process();
        var round = ReadRounds(cluster);
        Assert.Equal([Id(2), Id(3)], round.Select(h => h.To).Order());
        Assert.Empty(leader.Completions);

        cluster.Take(m => m.To == Id(3)); // one answer plus the leader itself is a majority of three
        cluster.Deliver(m => m.To == Id(2));
        cluster.Process();
        Assert.Empty(leader.Completions);
        cluster.Deliver(m => m is HeartbeatResponse);
        cluster.Process();

        var done = Assert.Single(leader.Completions);
        Assert.Equal(new CoreCompletion(7, CompletionKind.ReadIndex, commit, null), done);
    }

    [Fact]
    public void AnAnswerToAnEarlierRoundDoesNotConfirmALaterRead()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        leader.Core.ReadIndex(1);
        cluster.Stabilize();
        var firstAnswer = (HeartbeatResponse)cluster.Delivered.Last(m => m is HeartbeatResponse { Context: > 0 });
        Assert.Single(leader.Completions);

        leader.Core.ReadIndex(2);
        cluster.Process();
        cluster.Take(_ => true);
        leader.Core.Step(firstAnswer); // a late duplicate of the first round's answer
        cluster.Process();

        Assert.Single(leader.Completions);
    }

    [Fact]
    public void AReadWaitsUntilTheLeadersNoOpCommits()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Dropping = m => m is AppendEntries; // the new leader's no-op cannot reach anyone
        var leader = cluster.Elect(1);
        var noOp = leader.Status.LastLogIndex;

        // Heartbeat rounds go out and are answered, but the deferred read is not registered yet, so nothing confirms it.
        leader.Core.ReadIndex(5);
        cluster.TickAll(3);
        Assert.Empty(leader.Completions);

        cluster.Dropping = null;
        cluster.TickAll(3);
        var done = Assert.Single(leader.Completions);
        Assert.Equal(new CoreCompletion(5, CompletionKind.ReadIndex, noOp, null), done);
    }

    [Fact]
    public void AReadOnAFollowerFailsNamingTheLeader()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);
        cluster.TickAll(); // followers learn who leads from the heartbeat

        cluster[2].Core.ReadIndex(3);
        cluster.Process();

        var done = Assert.Single(cluster[2].Completions);
        Assert.Equal((3L, CompletionKind.ReadIndex), (done.RequestId, done.Kind));
        var error = Assert.IsType<NotLeaderException>(done.Error);
        Assert.Equal((Id(1), "node1"), (error.LeaderId, error.LeaderAddress));
    }

    [Fact]
    public void LeaseReadsAreAnsweredWithoutAHeartbeatRound()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.LeaseReads = true);
        var leader = cluster.Elect(1);
        cluster.TickAll(); // the lease starts with the first heartbeat round a quorum answers

        leader.Core.ReadIndex(4);
        var ready = leader.Core.GetReady();

        Assert.Equal([new CoreCompletion(4, CompletionKind.ReadIndex, leader.Status.CommitIndex, null)], ready.Completions);
        Assert.DoesNotContain(ready.Messages, m => m is Heartbeat);
    }

    /// <summary>
    /// Followers stop honouring a leader's lease ElectionTicks after they last heard from it, and may then elect another leader
    /// that commits writes. A leader that is cut off must therefore stop serving reads from its lease at that point, even though
    /// check-quorum (which looks at a whole election timeout of answers) may keep it leading for up to one more timeout.
    /// </summary>
    [Fact]
    public void ACutOffLeaderStopsServingLeaseReadsBeforeAnotherLeaderCanBeElected()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.LeaseReads = true);
        var old = cluster.Elect(1);
        cluster.TickAll(ElectionTicks); // answers arrive just after the leader's check-quorum round: it will not step down soon
        cluster.Isolate(1);

        var overlap = 0;
        for (var tick = 0; tick < 3 * ElectionTicks && old.Core.IsLeader; tick++)
        {
            cluster.TickAll();
            if (cluster.Nodes.Values.Any(n => n.Id != Id(1) && n.Core.IsLeader))
            {
                overlap++;
                old.Core.ReadIndex(100 + tick);
                cluster.Process();
            }
        }

        Assert.True(overlap > 0, "the scenario needs a moment where the cut-off leader still believes it leads");
        Assert.DoesNotContain(old.Completions, c => c.Error is null);
    }

    [Fact]
    public void LeaseReadsRequireCheckQuorum()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new RaftCore(Options(1, o => (o.LeaseReads, o.CheckQuorum) = (true, false)), State(Voters(1))));

        Assert.Contains("LeaseReads", error.Message);
    }

    [Fact]
    public void APendingReadFailsWhenLeadershipIsLost()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        leader.Core.ReadIndex(8);
        cluster.Process();
        cluster.Take(_ => true);

        leader.Core.Step(new AppendEntries { From = Id(2), To = Id(1), Term = leader.Term + 1 });
        cluster.Process();

        var done = Assert.Single(leader.Completions);
        Assert.Equal(8, done.RequestId);
        Assert.IsType<ProposalDroppedException>(done.Error);
    }

    [Fact]
    public void AReadWaitingForTheNoOpFailsWhenLeadershipIsLost()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Dropping = m => m is AppendEntries;
        var leader = cluster.Elect(1);
        leader.Core.ReadIndex(6);
        leader.Core.TransferLeadership(7, Id(2));
        cluster.Process();
        Assert.Empty(leader.Completions);

        leader.Core.Step(new Heartbeat { From = Id(2), To = Id(1), Term = leader.Term + 1 });
        cluster.Process();

        // Neither request may hang: both fail, naming the leader that took over.
        Assert.Equal([6L, 7L], leader.Completions.Select(c => c.RequestId).Order());
        Assert.All(leader.Completions, c => Assert.Equal(Id(2), Assert.IsType<NotLeaderException>(c.Error).LeaderId));
    }

    [Fact]
    public void ASingleNodeAnswersReadsAtOnce()
    {
        var cluster = TestCluster.Bootstrap(1);
        var leader = cluster.Elect(1);

        leader.Core.ReadIndex(1);
        cluster.Process();

        Assert.Equal([new CoreCompletion(1, CompletionKind.ReadIndex, leader.Status.CommitIndex, null)], leader.Completions);
    }
}
