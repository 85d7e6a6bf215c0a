using HsmRaft.Core;
using HsmRaft.Simulation.Sim;
using HsmRaft.Storage;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>
/// Clusters whose nodes keep their state in the production <see cref="FileStorage"/> on simulated disks (<see cref="FileSimStorage"/>):
/// crashes in the middle of log appends, snapshot installs and snapshot saves, a power loss of the whole cluster, a damaged
/// segment file, and the snapshot policy bounding the files on disk. Every restart checks that the stores recover what they
/// acknowledged (plus, at most, part of what was being written).
/// </summary>
public class FileStorageTests
{
    private const int Every = 10;
    private const int Trailing = 2;

    private static Cluster Create(int nodes = 3, int seed = 1, bool snapshots = false, long diskLatency = 0, long segmentSize = 1024,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        Scenario.Create(typeof(FileStorageTests), nodes, seed, o => o with
        {
            Storage = StorageBackend.File,
            SegmentSize = segmentSize,
            SnapshotEvery = snapshots ? Every : 0,
            SnapshotTrailing = Trailing,
            DiskLatencyMin = diskLatency / 2,
            DiskLatencyMax = diskLatency,
            ConfigureCore = core => core.SnapshotChunkSize = 1024,
        }, test);

    private static FileSimStorage Disk(Cluster c, ulong id) => (FileSimStorage)c[id].Storage;

    private static List<string> Segments(FileSimStorage disk) =>
        [.. disk.Disk.AllFiles().Where(f => f.StartsWith(disk.Directory + "/log/", StringComparison.Ordinal) && f.EndsWith(".seg", StringComparison.Ordinal))];

    private static int Sum(Cluster c, Func<FileSimStorage, int> count) => c.Nodes.Keys.Sum(id => count(Disk(c, id.Value)));

    /// <summary>Key-value writes of ~400 bytes: a few records fill a 1 KiB segment, and snapshots span a few chunks.</summary>
    private static byte[] Write(int i) => KvCommand.Put($"k{i % 5}", $"{i}:" + new string('v', 400));

    private static void Commit(Cluster c, int from, int count, int expectedNodes)
    {
        for (var i = from; i < from + count; i++)
        {
            c.One(Write(i), expectedNodes, retry: true);
        }
    }

    [Fact]
    public void CrashDuringALogAppendRecoversTheTornTailAndStaysLinearizable()
    {
        // Records of ~1.5 KiB span several 512-byte sectors, so a power loss can keep part of one (a torn write).
        var c = Create(nodes: 3, diskLatency: 600, segmentSize: 64 << 10);
        var workload = new KvWorkload(c, new WorkloadOptions { Clients = 3, Keys = 3, ValuePadding = 1500 });
        workload.Start();
        for (var i = 0; i < 40; i++)
        {
            // Any node, leader or follower, loses power while its next batch of entries is being appended.
            var victim = c[(ulong)((i % 3) + 1)];
            victim.CrashDuringNextPersist(when: r => r.Entries.Count > 0);
            c.RunUntil(() => !victim.IsUp, 4 * c.ElectionTicks);
            c.RunTicks(c.Random.Next(1, c.ElectionTicks));
            victim.Start();
            c.RunTicks(c.Random.Next(1, c.ElectionTicks));
        }

        Scenario.HealAndCheckLinearizable(c, workload, minCompleted: 30);
        Assert.True(c.Nodes.Values.Sum(n => n.Restarts) >= 30, "nodes crashed while appending and restarted");
        Assert.True(Sum(c, d => d.Events["TornTailTruncated"]) > 0, "a torn tail was cut off at recovery; storage events: " +
            string.Join("; ", c.Nodes.Keys.Select(id => string.Join(",", Disk(c, id.Value).Events.Counts.Select(kv => $"{kv.Key}={kv.Value}")))));
        Assert.True(Sum(c, d => d.RecoveredUnacknowledgedWrites) > 0, "some restarts recovered part of the batch being written");
        Assert.True(Sum(c, d => d.CrashesDuringRecovery) > 0, "power failed again during some recoveries");
    }

    [Fact]
    public void CrashesDuringSnapshotInstallsRecoverTheOldOrTheNewSnapshot()
    {
        var c = Create(snapshots: true);
        for (var round = 0; round < 12; round++)
        {
            var leader = c.CheckOneLeader().Value;
            var follower = (leader % 3) + 1;
            c.Disconnect(follower);
            Commit(c, round * 100, 2 * Every, 2);

            // The follower comes back and needs a snapshot; it loses power while writing the batch that installs it.
            c[follower].CrashDuringNextPersist(when: r => r.SnapshotReceives.Any(s => s.Kind == SnapshotReceiveKind.Install));
            c.Connect(follower);
            Assert.True(c.RunUntil(() => !c[follower].IsUp, 20 * c.ElectionTicks), $"round {round}: node {follower} received a snapshot");
            c.Restart(follower);
            var index = c.One(Write((round * 100) + 99), 3, retry: true);
            Assert.True(c[follower].Kv.Applied >= index);
        }

        Assert.True(Disk(c, 1).RecoveredSnapshotsBeingCommitted + Disk(c, 2).RecoveredSnapshotsBeingCommitted +
                    Disk(c, 3).RecoveredSnapshotsBeingCommitted > 0, "some crash kept the snapshot being installed");
        Assert.True(c.Nodes.Values.Sum(n => n.SnapshotsInstalled) >= 6, "followers installed snapshots after restarting");
    }

    [Fact]
    public void CrashesWhileSavingASnapshotKeepTheOldOrTheNewOne()
    {
        var c = Create(snapshots: true, diskLatency: 300);
        var saved = 0;
        for (var i = 0; saved < 15 && i < 2000; i++)
        {
            c.One(Write(i), 2, retry: true);
            if (c.Nodes.Values.FirstOrDefault(n => n.IsUp && n.IsSavingSnapshot) is { } victim)
            {
                victim.Crash("power loss while saving a snapshot");
                saved++;
                c.RunTicks(2);
                victim.Start();
            }
        }

        c.HealAndConverge();
        Assert.Equal(15, saved);
        Assert.True(Sum(c, d => d.RecoveredSnapshotsBeingCommitted) > 0, "some crash landed after the snapshot's commit point");
        Assert.True(Sum(c, d => d.Events["LeftoverRemoved"]) + Sum(c, d => d.Events["OldSnapshotRemoved"]) > 0,
            "recovery cleaned up after an interrupted snapshot");
    }

    [Fact]
    public void WholeClusterLosesPowerAndRestartsFromItsFiles()
    {
        var c = Create(nodes: 5, snapshots: true, diskLatency: 800);
        var workload = new KvWorkload(c, new WorkloadOptions { Clients = 3, Keys = 4, ValuePadding = 300 });
        workload.Start();
        for (var round = 0; round < 6; round++)
        {
            c.RunTicks(20 + c.Random.Next(40));
            foreach (var id in c.Nodes.Keys)
            {
                c[id].Crash("power loss of the whole cluster"); // Batches still being written are torn.
            }

            c.RunTicks(5);
            foreach (var id in c.Nodes.Keys)
            {
                c[id].Start();
            }
        }

        Scenario.HealAndCheckLinearizable(c, workload, minCompleted: 30);
        Assert.True(c.Nodes.Values.All(n => n.Restarts == 6));
        Assert.True(c.Nodes.Values.All(n => n.Storage.SnapshotIndex > 0), "every node restarted from a snapshot at least once");
    }

    [Fact]
    public void FlippedByteInAFollowersSegmentMakesItRefuseToStart()
    {
        var c = Create();
        Commit(c, 0, 10, 3);
        var leader = c.CheckOneLeader().Value;
        var follower = (leader % 3) + 1;
        c.Crash(follower);

        // A bit flips in the first record of the follower's first segment: synced data that changed on disk.
        var disk = Disk(c, follower);
        var segment = Segments(disk)[0];
        disk.Disk.CorruptByte(segment, 64 + 40, 0x10);

        var refused = Assert.Throws<SimulationFailure>(() => c.Restart(follower));
        var cause = Assert.IsType<StorageCorruptedException>(refused.InnerException);
        Assert.Contains(segment, cause.Message, StringComparison.Ordinal);
        Assert.False(c[follower].IsUp);

        // The other two keep serving, and the damaged node keeps refusing: nothing is repaired by guessing.
        Commit(c, 10, 10, 2);
        Assert.Throws<SimulationFailure>(() => c.Restart(follower));
    }

    [Fact]
    public void SnapshotPolicyBoundsTheLogFilesOnDisk()
    {
        var c = Create(snapshots: true);
        Commit(c, 0, 150, 3);
        c.RunTicks(5);
        foreach (var id in c.Nodes.Keys)
        {
            var disk = Disk(c, id.Value);
            var files = disk.Disk.AllFiles();
            var segments = Segments(disk);
            var bytes = segments.Sum(f => disk.Disk.ReadAllBytes(f).Length);

            // At most one interval plus the trailing window (and one in flight) of ~450-byte records, about two per 1 KiB segment.
            const int maxEntries = Every + Trailing + 2;
            Assert.True(segments.Count <= maxEntries, $"node {id}: {segments.Count} segment files: {string.Join(", ", segments)}");
            Assert.True(bytes <= maxEntries * 1024, $"node {id}: {bytes} bytes of segments");
            Assert.Single(files, f => f.StartsWith(disk.Directory + "/snapshots/", StringComparison.Ordinal));
            Assert.True(disk.LogStartIndex > 100, $"node {id}: the log was compacted (starts after {disk.LogStartIndex})");
        }
    }
}
