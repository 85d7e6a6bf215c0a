using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §5.3, Figure 7: whatever a follower's log looks like, the leader's log-matching probes find the last entry
/// they agree on and replace everything after it, and the fast back-off hint makes that take a few round trips, not one per
/// entry.</summary>
public class LogRepairTests
{
    /// <summary>The leader's log in Figure 7 (indexes 1–10); it leads in term 8.</summary>
    private static readonly long[] Figure7Leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];

    public static TheoryData<string, long[]> Figure7Followers() => new()
    {
        { "a: missing the last entry", [1, 1, 1, 4, 4, 5, 5, 6, 6] },
        { "b: missing many entries", [1, 1, 1, 4] },
        { "c: one extra entry of the leader's last term", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6] },
        { "d: extra entries of a newer term", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7] },
        { "e: missing entries and extra entries of an older term", [1, 1, 1, 4, 4, 4, 4] },
        { "f: diverged right after index 3", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3] },
    };

    /// <summary>Node 1 (the leader's log) wins term 8 with node 3's vote (same log); node 2 holds the follower's log.</summary>
    private static TestCluster Figure7(long[] follower, out TestNode leader)
    {
        var logs = new Dictionary<int, LogEntry[]>
        {
            [1] = Entries(Figure7Leader),
            [2] = Entries(follower),
            [3] = Entries(Figure7Leader),
        };
        var cluster = TestCluster.FromLogs(Voters(1, 2, 3), term: 7, logs);
        leader = cluster.Elect(1);
        Assert.Equal(8, leader.Term);
        return cluster;
    }

    [Theory]
    [MemberData(nameof(Figure7Followers))]
    public void EveryFigure7FollowerEndsWithTheLeadersLog(string @case, long[] follower)
    {
        var cluster = Figure7(follower, out var leader);
        cluster.TickAll(2);

        long[] expected = [.. Figure7Leader, 8]; // the leader's log plus its no-op of term 8
        Assert.True(expected.SequenceEqual(leader.LogTerms()), @case);
        Assert.True(expected.SequenceEqual(cluster[2].LogTerms()), $"{@case}: follower has {string.Join(",", cluster[2].LogTerms())}");
        Assert.Equal(Positions(leader.Log), Positions(cluster[2].Log));
        Assert.Equal(11, cluster[2].Status.CommitIndex);
    }

    /// <summary>Follower 2 ran ahead in terms the leader never saw (60 entries of terms 2 and 3 after a common first entry); the
    /// leader has 60 entries of term 4 there. Without the hint this takes one round trip per entry.</summary>
    [Theory]
    [InlineData(60, 30)]
    [InlineData(100, 0)]
    [InlineData(55, 55)]
    public void AFollowerWithManyConflictingEntriesIsRepairedInAFewRoundTrips(int term2Entries, int term3Entries)
    {
        long[] leaderLog = [1, .. Enumerable.Repeat(4L, 60)];
        long[] followerLog = [1, .. Enumerable.Repeat(2L, term2Entries), .. Enumerable.Repeat(3L, term3Entries)];
        var cluster = TestCluster.FromLogs(Voters(1, 2, 3), term: 4, new Dictionary<int, LogEntry[]>
        {
            [1] = Entries(leaderLog), [2] = Entries(followerLog), [3] = Entries(leaderLog),
        });
        var leader = cluster[1];
        leader.WinElection();
        cluster.Cut(1, 3); // only the repair of node 2 is counted

        var roundTrips = 0;
        while (!leader.LogTerms().SequenceEqual(cluster[2].LogTerms()))
        {
            Assert.True(++roundTrips <= 3, $"not repaired after {roundTrips - 1} round trips");
            cluster.Process();
            cluster.Deliver(m => m.To == Id(2));
            cluster.Process();
            cluster.Deliver(m => m.To == Id(1));
        }

        // One rejected probe carries the hint that skips every conflicting term; the next append succeeds.
        Assert.Equal(2, roundTrips);
        Assert.Equal(1, cluster.Delivered.OfType<AppendEntriesResponse>().Count(r => !r.Success));
        Assert.Equal(62, cluster[2].Status.LastLogIndex);
    }
}
