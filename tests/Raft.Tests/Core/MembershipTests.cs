using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Thesis §4.3: membership changes by joint consensus. New voters first catch up as learners; C(old,new) then needs
/// both majorities for every decision; C(new) follows once the joint configuration commits.</summary>
public class MembershipTests
{
    /// <summary>Voters 1–3 (node 1 leading) plus empty nodes 4 and 5 waiting to be added.</summary>
    private static TestCluster ThreeVotersAndTwoNewcomers()
    {
        var founders = RaftCoreInitialState.Bootstrap(Voters(1, 2, 3));
        var cluster = new TestCluster([
            .. new[] { 1, 2, 3 }.Select(id => new TestNode(Options(id), founders)),
            .. new[] { 4, 5 }.Select(id => new TestNode(Options(id), RaftCoreInitialState.Empty)),
        ]);
        cluster.Elect(1);
        return cluster;
    }

    private static List<ClusterConfiguration> ConfigurationsIn(TestNode node) =>
        node.Log.Where(e => e.Kind == LogEntryKind.Configuration).Select(e => ClusterConfiguration.Decode(e.Data.Span)).ToList();

    private static CoreCompletion Outcome(TestNode node, long requestId) =>
        Assert.Single(node.Completions, c => c.RequestId == requestId && c.Kind == CompletionKind.MembershipChange);

    [Fact]
    public void AddingTwoVotersGoesFromLearnersThroughTheJointConfigurationToTheNewOne()
    {
        var cluster = ThreeVotersAndTwoNewcomers();
        var leader = cluster[1];

        leader.Core.ChangeMembership(1, new MembershipChange { AddVoters = [Member(4), Member(5)] });
        cluster.TickAll(5);

        var steps = ConfigurationsIn(leader);
        Assert.Equal(
        [
            Voters(1, 2, 3),
            WithLearners([1, 2, 3], [4, 5]),
            new ClusterConfiguration(Enumerable.Range(1, 5).Select(Member), Enumerable.Range(1, 5).Select(Id), [], [Id(1), Id(2), Id(3)]),
            Voters(1, 2, 3, 4, 5),
        ], steps);
        var done = Outcome(leader, 1);
        Assert.Null(done.Error);
        Assert.Equal(leader.Log.Last(e => e.Kind == LogEntryKind.Configuration).Index, done.Index);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(Voters(1, 2, 3, 4, 5), n.Status.Configuration));
        Assert.False(leader.Status.MembershipChangeInProgress);
    }

    [Fact]
    public void TheJointConfigurationCommitsOnlyWithBothMajorities()
    {
        var cluster = ThreeVotersAndTwoNewcomers();
        var leader = cluster[1];

        // Replace voters 2 and 3 by 4 and 5, but let no message carrying C(old,new) reach 2 or 3: the new majority {1,4,5}
        // stores it, the old majority {1,2,3} does not.
        cluster.Dropping = m => m is AppendEntries a && (a.To == Id(2) || a.To == Id(3)) &&
                                a.Entries.Any(e => e.Kind == LogEntryKind.Configuration && ClusterConfiguration.Decode(e.Data.Span).IsJoint);
        leader.Core.ChangeMembership(1, new MembershipChange { AddVoters = [Member(4), Member(5)], Remove = [Id(2), Id(3)] });
        cluster.TickAll(5);

        var joint = leader.Log.Single(e => e.Kind == LogEntryKind.Configuration && ClusterConfiguration.Decode(e.Data.Span).IsJoint);
        Assert.True(leader.Status.Configuration.IsJoint);
        Assert.All(new[] { 4, 5 }, id => Assert.Equal(joint.Term, cluster[id].Core.TermAt(joint.Index)));
        Assert.True(leader.Status.CommitIndex < joint.Index);
        Assert.True(leader.Status.MembershipChangeInProgress);

        cluster.Dropping = null;
        cluster.TickAll(5);
        Assert.Null(Outcome(leader, 1).Error);
        Assert.Equal([Id(1), Id(4), Id(5)], leader.Status.Configuration.Voters.ToArray());
        Assert.False(leader.Status.Configuration.IsJoint);
    }

    [Fact]
    public void AnElectionInTheJointConfigurationNeedsBothMajorities()
    {
        var node = new TestNode(Options(1, o => o.PreVote = false), State(Joint(incoming: [1, 4, 5], outgoing: [1, 2, 3]), term: 1));
        while (node.Role != RaftRole.Candidate)
        {
            node.Core.Tick();
        }

        var asked = node.Core.GetReady().MessagesAfterPersist.OfType<RequestVote>().Select(r => r.To).Order();
        Assert.Equal([Id(2), Id(3), Id(4), Id(5)], asked);

        void Grant(int from) => node.Core.Step(new RequestVoteResponse { From = Id(from), To = Id(1), Term = node.Term, Granted = true });
        Grant(4);
        Grant(5);
        Assert.Equal(RaftRole.Candidate, node.Role); // a majority of C(new), but only 1 of 3 in C(old)
        Grant(2);
        Assert.Equal(RaftRole.Leader, node.Role);
    }

    [Fact]
    public void AnElectionInTheJointConfigurationIsLostWhenEitherHalfRefuses()
    {
        var node = new TestNode(Options(1, o => o.PreVote = false), State(Joint(incoming: [1, 4, 5], outgoing: [1, 2, 3]), term: 1));
        while (node.Role != RaftRole.Candidate)
        {
            node.Core.Tick();
        }

        node.Core.Step(new RequestVoteResponse { From = Id(4), To = Id(1), Term = node.Term, Granted = true });
        node.Core.Step(new RequestVoteResponse { From = Id(5), To = Id(1), Term = node.Term, Granted = true });
        node.Core.Step(new RequestVoteResponse { From = Id(2), To = Id(1), Term = node.Term, Granted = false });
        node.Core.Step(new RequestVoteResponse { From = Id(3), To = Id(1), Term = node.Term, Granted = false });

        Assert.Equal(RaftRole.Follower, node.Role);
    }

    [Fact]
    public void ALeaderRemovedFromTheClusterHandsOverAndStepsDown()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);

        leader.Core.ChangeMembership(1, new MembershipChange { Remove = [Id(1)] });
        cluster.TickAll(5);

        Assert.Null(Outcome(leader, 1).Error);
        Assert.Equal(RaftRole.Follower, leader.Role);
        var successor = cluster.Leader!;
        Assert.Contains(successor.Id, new[] { Id(2), Id(3) });
        Assert.Equal([Id(2), Id(3)], successor.Status.Configuration.Voters.ToArray());
        Assert.Contains(cluster.Sent, m => m is TimeoutNow && m.From == Id(1));
    }

    public static TheoryData<string, string> InvalidChanges() => new()
    {
        { "add an existing member", "node 2 is already a member" },
        { "remove a stranger", "node 9 is not a member" },
        { "promote a voter", "node 2 is not a learner" },
        { "demote a stranger", "node 9 is not a voter" },
        { "add without an address", "every added node needs an address" },
        { "list a node twice", "a node appears more than once" },
        { "remove every voter", "without voters" },
        { "use id 0", "node id 0 is reserved" },
    };

    [Theory]
    [MemberData(nameof(InvalidChanges))]
    public void AnInvalidChangeIsRejectedWithAMessageThatSaysWhy(string @case, string why)
    {
        var change = @case switch
        {
            "add an existing member" => new MembershipChange { AddVoters = [Member(2)] },
            "remove a stranger" => new MembershipChange { Remove = [Id(9)] },
            "promote a voter" => new MembershipChange { Promote = [Id(2)] },
            "demote a stranger" => new MembershipChange { Demote = [Id(9)] },
            "add without an address" => new MembershipChange { AddLearners = [new ClusterMember(Id(4), " ")] },
            "list a node twice" => new MembershipChange { AddVoters = [Member(4)], AddLearners = [Member(4)] },
            "remove every voter" => new MembershipChange { Remove = [Id(1), Id(2), Id(3)] },
            _ => new MembershipChange { AddVoters = [new ClusterMember(NodeId.None, "node0")] },
        };
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var lastIndex = leader.Status.LastLogIndex;

        leader.Core.ChangeMembership(1, change);
        cluster.Process();

        var error = Outcome(leader, 1).Error;
        Assert.NotNull(error);
        Assert.StartsWith("Invalid membership change", error.Message);
        Assert.Contains(why, error.Message);
        Assert.Equal(lastIndex, leader.Status.LastLogIndex);
        Assert.False(leader.Status.MembershipChangeInProgress);
    }

    [Fact]
    public void ASecondChangeWaitsForTheFirstToFinish()
    {
        var cluster = ThreeVotersAndTwoNewcomers();
        var leader = cluster[1];

        leader.Core.ChangeMembership(1, new MembershipChange { AddVoters = [Member(4)] });
        leader.Core.ChangeMembership(2, new MembershipChange { AddVoters = [Member(5)] });
        cluster.Process();

        Assert.Contains("already in progress", Outcome(leader, 2).Error!.Message);
        cluster.TickAll(5);
        Assert.Null(Outcome(leader, 1).Error);
        Assert.Equal([Id(1), Id(2), Id(3), Id(4)], leader.Status.Configuration.Voters.ToArray());
    }

    [Fact]
    public void NewVotersThatDoNotCatchUpInTimeStayLearnersAndTheChangeFails()
    {
        var founders = RaftCoreInitialState.Bootstrap(Voters(1, 2, 3));
        var cluster = new TestCluster([
            .. new[] { 1, 2, 3 }.Select(id => new TestNode(Options(id, o => o.CatchUpTimeoutTicks = 5), founders)),
            new TestNode(Options(4), RaftCoreInitialState.Empty),
        ]);
        var leader = cluster.Elect(1);
        cluster.Crash(4);

        leader.Core.ChangeMembership(1, new MembershipChange { AddVoters = [Member(4)] });
        cluster.TickAll(6);

        Assert.Contains("did not catch up within 5 ticks", Outcome(leader, 1).Error!.Message);
        Assert.Equal(WithLearners([1, 2, 3], [4]), leader.Status.Configuration);
        Assert.False(leader.Status.MembershipChangeInProgress);
    }

    [Fact]
    public void ANewLeaderFinishesAJointConfigurationItInherits()
    {
        // The previous leader appended C(old,new) and lost leadership before it could append C(new).
        LogEntry[] log =
        [
            new(1, 1, LogEntryKind.Configuration, Voters(1, 2, 3).Encode()),
            new(2, 1, LogEntryKind.Configuration, Joint(incoming: [1, 2, 3, 4], outgoing: [1, 2, 3]).Encode()),
        ];
        var cluster = new TestCluster(Enumerable.Range(1, 4).Select(id => new TestNode(Options(id), State(Voters(1, 2, 3), term: 1, commit: 1, log: log))));

        var leader = cluster.Elect(1);
        cluster.TickAll(3);

        Assert.Equal(Voters(1, 2, 3, 4), leader.Status.Configuration);
        Assert.Equal(Voters(1, 2, 3, 4), ConfigurationsIn(leader)[^1]);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(Voters(1, 2, 3, 4), n.Status.Configuration));
        Assert.False(leader.Status.MembershipChangeInProgress);
        Assert.Empty(leader.Completions);
    }

    [Fact]
    public void AnUncommittedConfigurationIsUndoneWhenItsEntryIsOverwritten()
    {
        // Node 1 appended C = {1,2,3,4} as entry 2 (term 2) but never committed it; the leader of term 3 has no such entry.
        LogEntry[] log =
        [
            new(1, 1, LogEntryKind.Configuration, Voters(1, 2, 3).Encode()),
            new(2, 2, LogEntryKind.Configuration, Voters(1, 2, 3, 4).Encode()),
        ];
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 2, commit: 1, log: log));
        Assert.Equal(Voters(1, 2, 3, 4), node.Status.Configuration);

        node.Core.Step(new AppendEntries
        {
            From = Id(2), To = Id(1), Term = 3, PrevLogIndex = 1, PrevLogTerm = 1,
            Entries = [new LogEntry(2, 3, LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty)],
        });

        Assert.Equal(Voters(1, 2, 3), node.Status.Configuration);
        Assert.Equal(Voters(1, 2, 3), node.Core.GetReady().Configuration);
    }

    [Fact]
    public void AChangeOnAFollowerFailsNamingTheLeader()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);
        cluster.TickAll();

        cluster[2].Core.ChangeMembership(3, new MembershipChange { Remove = [Id(3)] });
        cluster.Process();

        Assert.Equal(Id(1), Assert.IsType<NotLeaderException>(Outcome(cluster[2], 3).Error).LeaderId);
    }
}
