using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.2: election timeouts are randomized in [ElectionTicks, 2 × ElectionTicks) so split votes are rare; the
/// randomness comes only from the seed, so a run can be replayed exactly.</summary>
public class ElectionTimeoutTests
{
    /// <summary>Ticks between the successive campaigns of a lone node nobody answers: its first few election timeouts.</summary>
    private static List<int> Timeouts(int seed, int count)
    {
        var node = new TestNode(Options(1, o => o.Seed = seed), State(Voters(1, 2, 3), term: 1));
        var timeouts = new List<int>();
        var ticks = 0;
        while (timeouts.Count < count)
        {
            node.Core.Tick();
            ticks++;
            if (node.Core.HasReady && node.Core.GetReady().Messages.Count > 0)
            {
                // A (pre-)vote round went out: the timeout that just fired lasted `ticks`.
                timeouts.Add(ticks);
                ticks = 0;
            }
        }

        return timeouts;
    }

    [Fact]
    public void TimeoutsLieInTheRandomizedRangeAndVary()
    {
        var all = Enumerable.Range(0, 50).SelectMany(seed => Timeouts(seed, 4)).ToList();

        Assert.All(all, t => Assert.InRange(t, ElectionTicks, (2 * ElectionTicks) - 1));
        Assert.True(all.Distinct().Count() >= ElectionTicks / 2, $"timeouts barely vary: {string.Join(",", all.Distinct().Order())}");
    }

    [Fact]
    public void DifferentSeedsGiveDifferentTimeouts()
    {
        var sequences = Enumerable.Range(0, 20).Select(seed => string.Join(",", Timeouts(seed, 6))).ToList();

        Assert.True(sequences.Distinct().Count() >= 15, "most seeds should give their own sequence of timeouts");
    }

    [Fact]
    public void TheSameSeedGivesTheSameTimeouts()
    {
        foreach (var seed in new[] { 0, 1, 12345 })
        {
            Assert.Equal(Timeouts(seed, 8), Timeouts(seed, 8));
        }
    }

    [Fact]
    public void AnElectionAndIdleHeartbeatsUseFewMessages()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);

        // Pre-vote, vote and the first append, each a request and an answer to both peers.
        Assert.Equal(12, cluster.Sent.Count);

        cluster.Sent.Clear();
        cluster.TickAll(ElectionTicks);
        Assert.Equal(4 * ElectionTicks, cluster.Sent.Count); // per tick: a heartbeat and its answer per follower
        Assert.All(cluster.Sent, m => Assert.True(m is Heartbeat or HeartbeatResponse, m.ToString()));
    }

    [Fact]
    public void FollowersHearingHeartbeatsNeverCampaign()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;

        cluster.TickAll(20 * ElectionTicks);

        Assert.Equal(Id(1), cluster.Leader!.Id);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(term, n.Term));
    }
}
