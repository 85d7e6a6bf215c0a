using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Log compaction and InstallSnapshot (Raft §7): snapshots every few entries, streamed in 1 KiB chunks.</summary>
public class SnapshotTests
{
    private const int Every = 10;
    private const int Trailing = 2;

    private static Cluster Create(int nodes = 3, NetworkFaults? network = null, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        Scenario.Create(typeof(SnapshotTests), nodes, seed: 3, o => o with
        {
            SnapshotEvery = Every,
            SnapshotTrailing = Trailing,
            Network = network ?? NetworkFaults.Reliable,
            ConfigureCore = core => core.SnapshotChunkSize = 1024,
        }, test);

    /// <summary>Key-value writes of ~400 bytes over 5 keys: the state machine (and so each snapshot) spans a few chunks.</summary>
    private static byte[] Write(int i) => KvCommand.Put($"k{i % 5}", $"{i}:" + new string('v', 400));

    private static void Commit(Cluster c, int from, int count, int expectedNodes)
    {
        for (var i = from; i < from + count; i++)
        {
            c.One(Write(i), expectedNodes, retry: true);
        }
    }

    /// <summary>Cuts one follower off while 30 writes commit, so the leader compacts past its log.</summary>
    private static (ulong Leader, ulong Follower) LeaveOneFollowerBehind(Cluster c, int nodes)
    {
        var leader = c.CheckOneLeader().Value;
        var follower = (leader % (ulong)nodes) + 1;
        c.Disconnect(follower);
        Commit(c, 0, 30, nodes - 1);
        return (leader, follower);
    }

    /// <summary>Reconnects <paramref name="follower"/> and crashes <paramref name="victim"/> right after the first message matching
    /// <paramref name="trigger"/> is sent.</summary>
    private static void CrashOnFirstAndReconnect(Cluster c, Func<RaftMessage, bool> trigger, ulong victim, ulong follower)
    {
        var fired = false;
        c.Network.DropIf = m =>
        {
            if (!fired && trigger(m))
            {
                fired = true;
                c.Loop.After(0, () => c.Crash(victim));
            }

            return false;
        };
        c.Connect(follower);
        Assert.True(c.RunUntil(() => fired, 10 * c.ElectionTicks));
    }

    [Fact]
    public void SnapshotsBoundTheLog()
    {
        var c = Create();
        Commit(c, 0, 60, 3);
        c.RunTicks(5);
        foreach (var n in c.Nodes.Values)
        {
            Assert.True(n.SnapshotsTaken >= 4, $"{n}: {n.SnapshotsTaken} snapshots");

            // Applied entries left in the log: fewer than one interval beyond the snapshot, plus the trailing window (and one in flight).
            Assert.InRange(n.Storage.Log.Count, 0, Every + Trailing + 2);
            Assert.InRange(n.MaxDurableLogLength, 0, Every + Trailing + 4);
        }
    }

    [Fact]
    public void InstallToAFollowerThatMissedTheCompactedEntries() => InstallAfterAbsence(crash: false, network: null);

    [Fact]
    public void InstallOverAnUnreliableNetwork() => InstallAfterAbsence(crash: false, NetworkFaults.Unreliable);

    [Fact]
    public void InstallToACrashedFollower() => InstallAfterAbsence(crash: true, network: null);

    [Fact]
    public void InstallToACrashedFollowerOverAnUnreliableNetwork() => InstallAfterAbsence(crash: true, NetworkFaults.Unreliable);

    private static void InstallAfterAbsence(bool crash, NetworkFaults? network, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var c = Create(network: network, test: test);
        for (var round = 0; round < 4; round++)
        {
            var leader = c.CheckOneLeader().Value;
            var victim = (leader % 3) + 1;
            if (crash)
            {
                c.Crash(victim);
            }
            else
            {
                c.Disconnect(victim);
            }

            Commit(c, round * 100, 30, 2);
            if (crash)
            {
                c.Restart(victim);
            }
            else
            {
                c.Connect(victim);
            }

            var index = c.One(Write((round * 100) + 99), 3, retry: true);
            Assert.True(c[victim].Kv.Applied >= index);
        }

        Assert.True(c.Network.Count(RaftMessageType.InstallSnapshot) >= 4, "snapshots were streamed");
        Assert.True(c.Nodes.Values.Sum(n => n.SnapshotsInstalled) >= 4, "followers installed snapshots");
    }

    [Fact]
    public void FollowerCrashesWhileReceivingASnapshot()
    {
        var c = Create();
        var (_, victim) = LeaveOneFollowerBehind(c, 3);

        // The follower loses power after its first chunk; the partial snapshot is discarded and the stream starts over.
        CrashOnFirstAndReconnect(c, m => m is InstallSnapshotResponse && m.From == new NodeId(victim), victim, victim);
        c.RunTicks(3);
        c.Restart(victim);
        var index = c.One(Write(99), 3, retry: true);
        Assert.True(c[victim].Kv.Applied >= index);
        Assert.Equal(1, c[victim].SnapshotsInstalled);
    }

    [Fact]
    public void LeaderCrashesWhileSendingASnapshot()
    {
        var c = Create(nodes: 5);
        var (leader, victim) = LeaveOneFollowerBehind(c, 5);
        CrashOnFirstAndReconnect(c, m => m is InstallSnapshot && m.To == new NodeId(victim), leader, victim);
        var index = c.One(Write(99), 4, retry: true);
        Assert.True(c.RunUntil(() => c[victim].Kv.Applied >= index, 20 * c.ElectionTicks), $"{c[victim]} caught up from the new leader");
        c.Restart(leader);
        c.One(Write(100), 5, retry: true);
    }

    [Fact]
    public void AllNodesCrashAndRestartFromSnapshots()
    {
        var c = Create();
        for (var round = 0; round < 3; round++)
        {
            Commit(c, round * 100, 25, 3);
            c.RunTicks(5);
            foreach (var id in new ulong[] { 1, 2, 3 })
            {
                c.Crash(id);
            }

            foreach (var id in new ulong[] { 1, 2, 3 })
            {
                c.Restart(id);

                // A restarted node's state machine starts from its snapshot, not from the beginning of the log.
                Assert.True(c[id].Kv.Applied >= c[id].Storage.SnapshotIndex);
                Assert.True(c[id].Storage.SnapshotIndex > 0);
            }

            c.One(Write((round * 100) + 99), 3, retry: true);
        }
    }

    [Fact]
    public void NodeRestartsFromASnapshotWithoutTrailingEntries()
    {
        var c = Create();
        Commit(c, 0, 30, 3);
        c.RunTicks(5);
        var leader = c.CheckOneLeader().Value;
        var victim = (leader % 3) + 1;
        c.Crash(victim);

        // Its store kept nothing the snapshot covers: it restarts from the snapshot and whatever follows it.
        var storage = c[victim].Storage;
        storage.CompactToSnapshot();
        Assert.Equal(storage.SnapshotIndex, storage.LogStartIndex);
        c.Restart(victim);
        Assert.Equal(storage.SnapshotIndex, c[victim].Kv.Applied);
        c.One(Write(99), 3, retry: true);
    }
}
