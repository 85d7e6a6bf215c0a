using HsmRaft.Core;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>The majority arithmetic behind commits and elections, for simple and joint configurations.</summary>
public class QuorumTests
{
    private static Func<NodeId, long> Matches(params (int Node, long Match)[] matches) =>
        id => matches.FirstOrDefault(m => Id(m.Node) == id).Match;

    [Fact]
    public void TheCommittedIndexIsTheHighestIndexAMajorityHolds()
    {
        Assert.Equal(3, Quorum.CommittedIndex(Voters(1, 2, 3), Matches((1, 5), (2, 3), (3, 1))));
        Assert.Equal(3, Quorum.CommittedIndex(Voters(1, 2, 3, 4), Matches((1, 5), (2, 4), (3, 3), (4, 1))));
        Assert.Equal(7, Quorum.CommittedIndex(Voters(1), Matches((1, 7))));
    }

    [Fact]
    public void AJointConfigurationCommitsOnlyWhatBothMajoritiesHold()
    {
        var joint = Joint(incoming: [1, 4, 5], outgoing: [1, 2, 3]);

        Assert.Equal(0, Quorum.CommittedIndex(joint, Matches((1, 10), (4, 10), (5, 10))));
        Assert.Equal(6, Quorum.CommittedIndex(joint, Matches((1, 10), (4, 10), (5, 10), (2, 6))));
        Assert.Equal(4, Quorum.CommittedIndex(joint, Matches((1, 10), (4, 4), (2, 6), (3, 6))));
    }

    [Fact]
    public void AJointElectionNeedsBothMajorities()
    {
        var joint = Joint(incoming: [1, 4, 5], outgoing: [1, 2, 3]);
        VoteOutcome Tally(params (int Node, bool Granted)[] votes) => Quorum.Tally(joint, votes.ToDictionary(v => Id(v.Node), v => v.Granted));

        Assert.Equal(VoteOutcome.Pending, Tally((1, true), (4, true), (5, true)));
        Assert.Equal(VoteOutcome.Won, Tally((1, true), (4, true), (2, true)));
        Assert.Equal(VoteOutcome.Lost, Tally((1, true), (4, true), (5, true), (2, false), (3, false)));
        Assert.Equal(VoteOutcome.Lost, Tally((1, true), (4, false), (5, false), (2, true), (3, true)));
    }

    [Fact]
    public void LearnersAndStrangersDoNotCount()
    {
        var config = WithLearners([1, 2, 3], [4, 5]);

        Assert.Equal(VoteOutcome.Pending, Quorum.Tally(config, new Dictionary<NodeId, bool> { [Id(1)] = true, [Id(4)] = true, [Id(5)] = true, [Id(9)] = true }));
        Assert.False(Quorum.IsQuorum(config, id => id == Id(1) || id.Value >= 4));
        Assert.True(Quorum.IsQuorum(config, id => id == Id(1) || id == Id(3)));
    }
}
