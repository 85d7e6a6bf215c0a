namespace HsmRaft.Storage.Tests;

public class FileLogStoreTests
{
    private static Node SimNode(long segmentSize = 4096) => new(new SimulatedFileSystem(1), "/node", segmentSize);

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
        var node = SimNode(1024);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 20, 1, 100));
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
        var node = SimNode(1024);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 20, 1, 100));
        await node.Log.CompactAsync(10, 5); // The snapshot says entry 10 has term 5; ours has term 1.
        Assert.Equal(10, node.Log.LastIndex);
        var recovery = await node.ReopenAsync();
        Assert.Empty(recovery.Entries);
        Assert.Equal((10L, 5L), (recovery.SnapshotIndex, recovery.SnapshotTerm));
    }

    [Fact]
    public async Task Compaction_at_or_below_the_marker_is_a_no_op_and_truncation_to_the_marker_works()
    {
        var node = SimNode(1024);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 20, 1, 100));
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
