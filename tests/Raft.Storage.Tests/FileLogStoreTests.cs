namespace HsmRaft.Storage.Tests;

public class FileLogStoreTests
{
    private static Node SimNode(long segmentSize = 4096) => new(new SimulatedFileSystem(1), "/node", segmentSize);

    /// <summary>An open log of entries 1..20 (term 1, 100 bytes each) in 1 KiB segments.</summary>
    private static async Task<Node> TwentyEntriesAsync(SimulatedFileSystem? fs = null)
    {
        var node = new Node(fs ?? new SimulatedFileSystem(1), "/node", 1024);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 20, 1, 100));
        return node;
    }

    [Fact]
    public async Task Empty_log_opens_empty_and_stays_empty_across_reopen()
    {
        var node = SimNode();
        var recovery = await node.OpenAsync();
        Assert.Equal(0, recovery.SnapshotIndex);
        Assert.Empty(recovery.Entries);
        Assert.Equal(0, node.Log.LastIndex);
        recovery = await node.ReopenAsync();
        Assert.Empty(recovery.Entries);
        Assert.Equal(0, node.Log.SegmentCount);
    }

    [Fact]
    public async Task Appends_roll_over_segments_and_read_back_across_boundaries_and_restarts()
    {
        var node = SimNode();
        await node.OpenAsync();
        var expected = new List<LogEntry>();
        for (var batch = 0; batch < 20; batch++)
        {
            var entries = Entries.Range(expected.Count + 1, 1 + (batch % 7), term: 1 + (batch / 5), size: 100 + (batch * 37));
            await node.Log.AppendAsync(entries);
            expected.AddRange(entries);
        }

        Assert.True(node.Log.SegmentCount > 3, $"expected several 4 KiB segments, got {node.Log.SegmentCount}");
        Entries.AssertSame(expected, await node.ReadAllAsync());

        var recovery = await node.ReopenAsync();
        Entries.AssertSame(expected, recovery.Entries);
        Entries.AssertSame(expected, await node.ReadAllAsync());
        var middle = new List<LogEntry>();
        await node.Log.ReadAsync(10, 30, middle);
        Entries.AssertSame(expected[9..29], middle);
    }

    [Fact]
    public async Task One_batch_larger_than_a_segment_rolls_over_mid_batch_and_syncs_once_per_segment()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 4096);
        await node.OpenAsync();
        var syncsBefore = fs.SyncCount;
        var entries = Entries.Range(1, 40, 1, 500); // ~21 KiB: six segments
        await node.Log.AppendAsync(entries);
        Assert.Equal(6, node.Log.SegmentCount);
        Assert.Equal(6, fs.SyncCount - syncsBefore); // Each full segment once before the next begins, the last once.
        Entries.AssertSame(entries, (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task A_batch_within_one_segment_costs_exactly_one_data_sync()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 1 << 20);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 1, 1, 10)); // Creates the segment (and syncs its directory).
        var (syncs, dirSyncs) = (fs.SyncCount, fs.DirectorySyncCount);
        await node.Log.AppendAsync(Entries.Range(2, 500, 1, 100));
        Assert.Equal(1, fs.SyncCount - syncs);
        Assert.Equal(0, fs.DirectorySyncCount - dirSyncs);
    }

    [Fact]
    public async Task A_batch_that_does_not_fit_starts_a_new_segment_instead_of_being_split()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 4096);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 28, 1, 100)); // 28 * 136 + 64 = 3872 bytes
        var syncs = fs.SyncCount;
        await node.Log.AppendAsync(Entries.Range(29, 5, 1, 100)); // 680 bytes: would overflow
        Assert.Equal(2, node.Log.SegmentCount);
        Assert.Equal(1, fs.SyncCount - syncs); // The full segment was already synced: only the new one is.
        var segments = fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).ToList();
        Assert.EndsWith("-00000000000000000029.seg", segments[1]);
        Entries.AssertSame(Entries.Range(1, 33, 1, 100), (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task An_entry_larger_than_the_segment_size_gets_a_segment_of_its_own()
    {
        var node = SimNode();
        await node.OpenAsync();
        var entries = new List<LogEntry> { Entries.Make(1, 1, 10), Entries.Make(2, 1, 10_000), Entries.Make(3, 1, 10) };
        await node.Log.AppendAsync(entries);
        Assert.Equal(3, node.Log.SegmentCount);
        Entries.AssertSame(entries, (await node.ReopenAsync()).Entries);
    }

    [Theory]
    [InlineData(5)]   // inside the first segment
    [InlineData(9)]   // first record of a later segment (the segment is deleted)
    [InlineData(1)]   // the whole log
    [InlineData(30)]  // the last entry only
    public async Task A_conflicting_append_replaces_the_suffix_durably(long from)
    {
        var node = SimNode(1024);
        await node.OpenAsync();
        var old = Entries.Range(1, 30, 1, 100);
        await node.Log.AppendAsync(old);
        var replacement = Entries.Range(from, 4, 2, 150);
        await node.Log.AppendAsync(replacement);

        var expected = old.Take((int)from - 1).Concat(replacement).ToList();
        Assert.Equal(from + 3, node.Log.LastIndex);
        Entries.AssertSame(expected, await node.ReadAllAsync());
        Entries.AssertSame(expected, (await node.ReopenAsync()).Entries);
        await node.Log.AppendAsync([Entries.Make(from + 4, 2, 10)]);
        Entries.AssertSame([.. expected, Entries.Make(from + 4, 2, 10)], (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task Compaction_drops_whole_segments_below_the_marker_and_keeps_the_rest()
    {
        var node = SimNode(1024);
        await node.OpenAsync();
        var all = Entries.Range(1, 40, 1, 100);
        await node.Log.AppendAsync(all);
        var segments = node.Log.SegmentCount;
        await node.Log.CompactAsync(25, 1);
        Assert.True(node.Log.SegmentCount < segments);
        Assert.Equal(25, node.Log.StartIndex);
        Entries.AssertSame(all[25..], await node.ReadAllAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await node.Log.ReadAsync(25, 26, new List<LogEntry>()));

        var recovery = await node.ReopenAsync();
        Assert.Equal((25L, 1L), (recovery.SnapshotIndex, recovery.SnapshotTerm));
        Entries.AssertSame(all[25..], recovery.Entries);
        await node.Log.AppendAsync(Entries.Range(41, 3, 2, 10));
        Assert.Equal(43, (await node.ReopenAsync()).Entries[^1].Index);
    }

    [Fact]
    public async Task Compaction_past_the_end_empties_the_log_and_the_next_append_starts_after_the_marker()
    {
        var node = await TwentyEntriesAsync();
        await node.Log.CompactAsync(100, 3);
        Assert.Equal(0, node.Log.SegmentCount);
        Assert.Equal(100, node.Log.LastIndex);
        await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([Entries.Make(21, 1, 1)]));

        var recovery = await node.ReopenAsync();
        Assert.Equal((100L, 3L, 0), (recovery.SnapshotIndex, recovery.SnapshotTerm, recovery.Entries.Count));
        var next = Entries.Range(101, 5, 3, 50);
        await node.Log.AppendAsync(next);
        Entries.AssertSame(next, (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task Compaction_at_an_index_whose_term_differs_discards_the_whole_log()
    {
        var node = await TwentyEntriesAsync();
        await node.Log.CompactAsync(10, 5); // The snapshot says entry 10 has term 5; ours has term 1.
        Assert.Equal(10, node.Log.LastIndex);
        var recovery = await node.ReopenAsync();
        Assert.Empty(recovery.Entries);
        Assert.Equal((10L, 5L), (recovery.SnapshotIndex, recovery.SnapshotTerm));
    }

    [Fact]
    public async Task A_conflicting_compaction_interrupted_after_its_marker_still_discards_the_log_at_a_segment_boundary()
    {
        var fs = new SimulatedFileSystem(1);
        var node = await TwentyEntriesAsync(fs);
        var second = fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).ElementAt(1);
        var boundary = long.Parse(Path.GetFileNameWithoutExtension(second)[17..], System.Globalization.CultureInfo.InvariantCulture);

        // The marker lands on the last entry of the first segment, with a term that entry does not have; the crash comes
        // right after the marker is durable (create, write, sync, rename, directory sync), before any segment is deleted.
        fs.CrashAtMutation = fs.MutationCount + 5;
        await Assert.ThrowsAsync<SimulatedCrashException>(async () => await node.Log.CompactAsync(boundary - 1, 9));
        fs.Crash(CrashMode.DropUnsynced);

        var recovery = await node.OpenAsync();
        Assert.Equal((boundary - 1, 9L), (recovery.SnapshotIndex, recovery.SnapshotTerm));
        Assert.Empty(recovery.Entries);
        Assert.True(node.Logger.Has(6003));
    }

    [Fact]
    public async Task Compaction_at_or_below_the_marker_is_a_no_op_and_truncation_to_the_marker_works()
    {
        var node = await TwentyEntriesAsync();
        await node.Log.CompactAsync(10, 1);
        await node.Log.CompactAsync(5, 1);
        Assert.Equal(10, node.Log.StartIndex);

        var replacement = Entries.Range(11, 2, 2, 10); // Replaces everything after the marker.
        await node.Log.AppendAsync(replacement);
        Entries.AssertSame(replacement, (await node.ReopenAsync()).Entries);
        await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([Entries.Make(10, 2, 1)]));
    }

    [Fact]
    public async Task Invalid_appends_and_reads_are_rejected_with_messages_that_say_what_is_allowed()
    {
        var node = SimNode();
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 3, 2, 10));

        var gap = await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([Entries.Make(5, 2, 1)]));
        Assert.Contains("at most 4", gap.Message);
        var holes = await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([Entries.Make(4, 2, 1), Entries.Make(6, 2, 1)]));
        Assert.Contains("consecutive", holes.Message);
        var terms = await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([Entries.Make(4, 3, 1), Entries.Make(5, 2, 1)]));
        Assert.Contains("never decrease", terms.Message);
        var kind = await Assert.ThrowsAsync<ArgumentException>(async () => await node.Log.AppendAsync([new LogEntry(4, 2, (LogEntryKind)9, default)]));
        Assert.Contains("kind", kind.Message);
        var beyond = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await node.Log.ReadAsync(1, 5, new List<LogEntry>()));
        Assert.Contains("at most 4", beyond.Message);
        Assert.Equal(3, node.Log.LastIndex); // Nothing was written by the rejected calls.
        Assert.Equal(3, (await node.ReopenAsync()).Entries.Count);
    }

    [Fact]
    public async Task Calls_before_open_or_after_dispose_fail_clearly()
    {
        await using var storage = FileStorage.Open(new FileStorageOptions { Directory = "/n", FileSystem = new SimulatedFileSystem(1) });
        var notOpen = await Assert.ThrowsAsync<InvalidOperationException>(async () => await storage.Log.AppendAsync([Entries.Make(1, 1, 1)]));
        Assert.Contains("OpenAsync", notOpen.Message);
        await storage.Log.OpenAsync();
        await storage.Log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await storage.Log.AppendAsync([Entries.Make(1, 1, 1)]));
    }

    [Fact]
    public async Task A_call_that_overlaps_another_is_refused_instead_of_corrupting_the_log()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node");
        await node.OpenAsync();
        Exception? nested = null;
        fs.FaultInjector = op =>
        {
            if (op.Kind == SimulatedOperationKind.Write && nested is null)
            {
                // A second caller arrives while the first append is writing.
                nested = Record.Exception(() => node.Log.ReadAsync(1, 1, new List<LogEntry>()).AsTask().GetAwaiter().GetResult());
            }

            return null;
        };
        await node.Log.AppendAsync(Entries.Range(1, 2, 1, 10));
        Assert.IsType<InvalidOperationException>(nested);
        Assert.Contains("overlapped", nested!.Message);
    }

    [Fact]
    public async Task After_a_failed_sync_the_store_refuses_writes_until_a_restart_recovers_it()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node");
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 5, 1, 10));
        fs.FaultInjector = op => op.Kind == SimulatedOperationKind.Sync ? new IOException("EIO: simulated sync failure") : null;
        await Assert.ThrowsAsync<IOException>(async () => await node.Log.AppendAsync(Entries.Range(6, 5, 1, 10)));
        fs.FaultInjector = null;
        var refused = await Assert.ThrowsAsync<IOException>(async () => await node.Log.AppendAsync(Entries.Range(6, 5, 1, 10)));
        Assert.Contains("restart", refused.Message);

        await node.CloseAsync();
        fs.Crash(CrashMode.DropUnsynced);
        var recovery = await node.OpenAsync();
        Entries.AssertSame(Entries.Range(1, 5, 1, 10), recovery.Entries);
    }

    [Fact]
    public async Task Opening_can_be_retried_after_a_transient_read_error()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 1024);
        await node.OpenAsync();
        var entries = Entries.Range(1, 20, 1, 100);
        await node.Log.AppendAsync(entries);
        await node.CloseAsync();

        await using var storage = FileStorage.Open(node.Options);
        var failures = 0;
        fs.FaultInjector = op => op.Kind == SimulatedOperationKind.Read && failures++ == 2 ? new IOException("EIO: simulated read error") : null;
        await Assert.ThrowsAsync<IOException>(async () => await storage.Log.OpenAsync());
        Entries.AssertSame(entries, (await storage.Log.OpenAsync()).Entries);
        await storage.Log.AppendAsync([Entries.Make(21, 1, 5)]);
        Assert.Equal(21, storage.Log.LastIndex);
    }

    [Fact]
    public async Task Works_on_the_real_file_system_with_reserved_segments()
    {
        using var dir = new TempDirectory();
        var node = new Node(null, dir.Path, 64 << 10, SegmentPreallocation.Reserve);
        await node.OpenAsync();
        var entries = Entries.Range(1, 200, 1, 1000);
        for (var i = 0; i < entries.Count; i += 50)
        {
            await node.Log.AppendAsync(entries.GetRange(i, 50));
        }

        await node.Log.AppendAsync(Entries.Range(150, 10, 2, 300));
        await node.Log.CompactAsync(100, 1);
        var expected = entries.GetRange(100, 49).Concat(Entries.Range(150, 10, 2, 300)).ToList();
        Entries.AssertSame(expected, await node.ReadAllAsync());
        Entries.AssertSame(expected, (await node.ReopenAsync()).Entries);
        await node.CloseAsync();
    }
}

public class TornSegmentTests
{
    [Theory]
    [InlineData(0)]    // the name reached the disk, the data did not
    [InlineData(40)]   // part of the header
    [InlineData(-1)]   // the header sector is zeros, the data after it is not
    public async Task A_last_segment_whose_header_never_reached_the_disk_is_removed_and_numbering_continues(int keep)
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n", 1024);
        await node.OpenAsync();
        var entries = Entries.Range(1, 12, 1, 200); // three segments
        await node.Log.AppendAsync(entries);
        await node.CloseAsync();
        var last = fs.AllFiles().Last(f => f.EndsWith(".seg", StringComparison.Ordinal));
        var bytes = fs.ReadAllBytes(last);
        var firstLost = int.Parse(Path.GetFileNameWithoutExtension(last)[17..], System.Globalization.CultureInfo.InvariantCulture);
        fs.WriteAllBytes(last, keep >= 0 ? bytes[..keep] : [.. new byte[512], .. bytes[512..]]);

        var recovery = await node.OpenAsync();
        Assert.True(node.Logger.Has(6001));
        Entries.AssertSame(entries[..(firstLost - 1)], recovery.Entries);
        await node.Log.AppendAsync(Entries.Range(firstLost, 8, 2, 200));
        var again = await node.ReopenAsync();
        Assert.Equal(firstLost + 7, again.Entries[^1].Index);
    }

    [Fact]
    public async Task A_torn_tail_is_truncated_logged_and_never_resurfaces()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n", 1 << 16);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 5, 1, 300));
        await node.Log.AppendAsync(Entries.Range(6, 5, 1, 300));
        await node.CloseAsync();
        var segment = fs.AllFiles().Single(f => f.EndsWith(".seg", StringComparison.Ordinal));
        var bytes = fs.ReadAllBytes(segment);
        fs.WriteAllBytes(segment, bytes[..^500]); // the last write was cut short

        var recovery = await node.OpenAsync();
        var message = Assert.Single(node.Logger.Messages, m => m.EventId == 6000).Message;
        Assert.Contains(segment, message);
        Assert.Contains("log index 9", message);
        Assert.Equal(8, recovery.Entries.Count);

        await node.Log.AppendAsync([Entries.Make(9, 2, 10)]);
        var again = await node.ReopenAsync();
        Entries.AssertSame([.. Entries.Range(1, 8, 1, 300), Entries.Make(9, 2, 10)], again.Entries);
    }
}
