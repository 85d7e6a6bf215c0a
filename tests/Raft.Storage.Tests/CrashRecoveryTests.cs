namespace HsmRaft.Storage.Tests;

/// <summary>
/// Simulates a power loss at every mutating file-system call of a randomized workload (and, for some points, a second
/// one during the recovery that follows) and checks that recovery yields exactly a prefix of what was written that
/// includes everything acknowledged: the last completed operation, plus possibly part of the one in flight.
/// </summary>
public class CrashRecoveryTests
{
    private const int Operations = 28;

    public static TheoryData<CrashMode> Modes => [CrashMode.DropUnsynced, CrashMode.TornPrefix, CrashMode.ScrambleSectors];

    [Theory]
    [MemberData(nameof(Modes))]
    public Task Recovery_after_a_crash_at_every_write_and_sync_keeps_every_acknowledged_operation(CrashMode mode) =>
        Seeded.RunAsync(nameof(Recovery_after_a_crash_at_every_write_and_sync_keeps_every_acknowledged_operation) + $"(mode: {mode})", Seeded.Seeds(11, 12, 13, 42), async seed =>
        {
            var ops = Workload.Generate(seed, Operations);
            var total = await CountMutationsAsync(ops);
            for (var crashAt = 0L; crashAt <= total; crashAt++)
            {
                await CrashAndRecoverAsync(ops, seed, crashAt, mode);
            }
        });

    /// <summary>Batches around the 1 KiB segment size: one that overflows its fresh segment within the allowed quarter, one
    /// split across three segments, a conflicting one that replaces a suffix spanning segments, and small ones in between.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public Task Recovery_after_a_crash_at_every_point_of_batches_spanning_segments_keeps_every_acknowledged_entry(CrashMode mode) =>
        EveryCrashPointAsync(nameof(Recovery_after_a_crash_at_every_point_of_batches_spanning_segments_keeps_every_acknowledged_entry), mode, 1024,
        [
            new AppendOp(Entries.Range(1, 2, 1, 40)),
            new AppendOp(Entries.Range(3, 8, 1, 100)),    // 8 * 136 + 64 = 1152 bytes: one segment, over 1 KiB
            new AppendOp(Entries.Range(11, 20, 1, 100)),  // 2720 bytes: three segments
            new AppendOp(Entries.Range(31, 1, 1, 7)),
            new AppendOp(Entries.Range(20, 9, 2, 100)),   // replaces 20..31, which spans two segments
            new CompactOp(12, 1),
            new AppendOp(Entries.Range(29, 3, 2, 500)),
        ]);

    /// <summary>Payloads large enough to be written from the caller's memory in gathered writes (one crash point each; what
    /// survives of an interrupted one is decided per sector), mixed with small records copied into the same writes.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public Task Recovery_after_a_crash_at_every_point_of_gathered_writes_keeps_every_acknowledged_entry(CrashMode mode) =>
        EveryCrashPointAsync(nameof(Recovery_after_a_crash_at_every_point_of_gathered_writes_keeps_every_acknowledged_entry), mode, 16 << 10,
        [
            new AppendOp([Entries.Make(1, 1, 5000), Entries.Make(2, 1, 20), Entries.Make(3, 1, RecordWriter.GatherFrom), Entries.Make(4, 1, 9)]),
            new AppendOp(Entries.Range(5, 3, 1, 6001)),   // does not fit: a new segment, overflowing it within the quarter
            new AppendOp([Entries.Make(8, 1, 30), Entries.Make(9, 1, 7003)]),
            new AppendOp(Entries.Range(9, 2, 2, 4100)),   // replaces 9
            new AppendOp(Entries.Range(11, 6, 2, 4500)),  // spans two segments
        ]);

    private static Task EveryCrashPointAsync(string test, CrashMode mode, long segmentSize, List<StorageOp> ops) =>
        Seeded.RunAsync(test + $"(mode: {mode})", Seeded.Seeds(5, 6, 7), async seed =>
        {
            var total = await CountMutationsAsync(ops, segmentSize);
            for (var crashAt = 0L; crashAt <= total; crashAt++)
            {
                await CrashAndRecoverAsync(ops, seed, crashAt, mode, segmentSize);
            }
        });

    private static async Task<long> CountMutationsAsync(List<StorageOp> ops, long segmentSize = 1024)
    {
        var fs = new SimulatedFileSystem(0);
        var node = new Node(fs, "/n", segmentSize);
        await node.OpenAsync();
        await node.Storage!.Stable.LoadAsync();
        foreach (var op in ops)
        {
            await op.RunAsync(node.Storage);
        }

        return fs.MutationCount;
    }

    private static async Task CrashAndRecoverAsync(List<StorageOp> ops, int seed, long crashAt, CrashMode mode, long segmentSize = 1024)
    {
        var fs = new SimulatedFileSystem(unchecked((seed * 7919) + (int)crashAt)) { CrashAtMutation = crashAt };
        var node = new Node(fs, "/n", segmentSize);
        var acked = StorageModel.Empty;
        StorageOp? inFlight = null;
        try
        {
            await node.OpenAsync();
            await node.Storage!.Stable.LoadAsync();
            foreach (var op in ops)
            {
                inFlight = op;
                await op.RunAsync(node.Storage);
                acked = op.Apply(acked);
                inFlight = null;
            }
        }
        catch (SimulatedCrashException)
        {
        }

        fs.Crash(mode);
        if (crashAt % 3 == 0)
        {
            // Crash again while recovery repairs things (torn tails, leftovers, interrupted compactions).
            fs.CrashAtMutation = fs.MutationCount + (crashAt % 5);
            try
            {
                await new Node(fs, "/n", segmentSize).OpenAsync();
            }
            catch (SimulatedCrashException)
            {
            }

            fs.Crash(mode);
        }

        var context = $"crash at mutation {crashAt} ({mode}), in flight: {inFlight?.GetType().Name ?? "none"}";
        var recovered = new Node(fs, "/n", segmentSize);
        var recovery = await recovered.OpenAsync();
        var state = await recovered.Storage!.Stable.LoadAsync();
        var afterInFlight = inFlight?.Apply(acked) ?? acked;

        CheckLog(recovery, acked, afterInFlight, inFlight, context);
        Assert.True(Equals(state, acked.State) || Equals(state, afterInFlight.State), $"hard state not old or new after {context}");
        await CheckSnapshotAsync(recovered.Storage.Snapshots, acked, afterInFlight, context);

        // The recovered store must keep working: append after it and read everything back after another restart.
        var next = Entries.Make(recovered.Log.LastIndex + 1, Math.Max(1, recovery.Entries.Count > 0 ? recovery.Entries[^1].Term : recovery.SnapshotTerm), 33);
        await recovered.Log.AppendAsync([next]);
        var again = await recovered.ReopenAsync();
        Entries.AssertSame([.. recovery.Entries, next], again.Entries);
        await recovered.CloseAsync();
    }

    private static void CheckLog(LogRecovery recovery, StorageModel acked, StorageModel afterInFlight, StorageOp? inFlight, string context)
    {
        bool Same(StorageModel m, int count) =>
            recovery.SnapshotIndex == m.StartIndex && recovery.SnapshotTerm == m.StartTerm && recovery.Entries.Count == count
            && recovery.Entries.Zip(m.Entries).All(p => p.First.Index == p.Second.Index && p.First.Term == p.Second.Term && p.First.Data.Span.SequenceEqual(p.Second.Data.Span));

        if (Same(acked, acked.Entries.Count) || Same(afterInFlight, afterInFlight.Entries.Count))
        {
            return;
        }

        // An interrupted append may leave any prefix of its result, or (while it was removing a conflicting suffix) of the
        // old log, as long as the entries before its first index are kept: the entries it replaces were being discarded.
        if (inFlight is AppendOp append)
        {
            var kept = (int)(append.Batch[0].Index - afterInFlight.StartIndex - 1);
            for (var count = kept; count <= Math.Max(acked.Entries.Count, afterInFlight.Entries.Count); count++)
            {
                if ((count <= afterInFlight.Entries.Count && Same(afterInFlight, count)) || (count <= acked.Entries.Count && Same(acked, count)))
                {
                    return;
                }
            }
        }

        Assert.Fail($"recovered log (start {recovery.SnapshotIndex}/{recovery.SnapshotTerm}, entries {Describe(recovery.Entries)}) is neither the acknowledged log " +
            $"(start {acked.StartIndex}, entries {Describe(acked.Entries)}) nor a valid result of the operation in flight (start {afterInFlight.StartIndex}, " +
            $"entries {Describe(afterInFlight.Entries)}) after {context}");
    }

    private static async Task CheckSnapshotAsync(FileSnapshotStore store, StorageModel acked, StorageModel afterInFlight, string context)
    {
        var latest = store.Latest;
        var expected = latest == acked.Snapshot ? acked : afterInFlight;
        Assert.True(latest == expected.Snapshot, $"snapshot {latest} is neither {acked.Snapshot} nor {afterInFlight.Snapshot} after {context}");
        if (latest is not null)
        {
            await using var stream = (await store.OpenReadAsync())!;
            var data = new MemoryStream();
            await stream.CopyToAsync(data);
            Assert.Equal(expected.SnapshotData, data.ToArray());
        }
    }

    private static string Describe(IReadOnlyList<LogEntry> entries) =>
        entries.Count == 0 ? "none" : $"{entries[0].Index}..{entries[^1].Index} ({entries.Count}, last term {entries[^1].Term})";
}
