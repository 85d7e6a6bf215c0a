namespace HsmRaft.Storage.Tests;

/// <summary>Batches about the size of a segment, and dropping synced log pages from the OS page cache.</summary>
public class LargeBatchTests
{
    private static List<string> SegmentFiles(SimulatedFileSystem fs) => [.. fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal))];

    [Fact]
    public async Task A_batch_slightly_larger_than_a_segment_takes_one_new_segment_one_sync_and_one_directory_sync()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 4096);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 1, 1, 100));
        var (syncs, dirSyncs) = (fs.SyncCount, fs.DirectorySyncCount);

        var batch = Entries.Range(2, 31, 1, 100); // 31 * 136 + 64 = 4280 bytes: over 4096, within 4096 * 1.25
        await node.Log.AppendAsync(batch);

        Assert.Equal(2, node.Log.SegmentCount);
        Assert.Equal(1, fs.SyncCount - syncs);
        Assert.Equal(1, fs.DirectorySyncCount - dirSyncs);
        Assert.Equal(4280, fs.ReadAllBytes(SegmentFiles(fs)[1]).Length);
        Entries.AssertSame([Entries.Make(1, 1, 100), .. batch], (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task A_batch_more_than_a_quarter_larger_than_a_segment_is_split_and_no_segment_exceeds_the_bound()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 4096);
        await node.OpenAsync();
        var batch = Entries.Range(1, 80, 1, 100); // 10,880 bytes of records
        await node.Log.AppendAsync(batch);

        // The first segment takes 37 records (64 + 37 * 136 = 5096 <= 5120), the next ones the usual 29 (<= 4096).
        Assert.Equal([5096, 64 + (29 * 136), 64 + (14 * 136)], SegmentFiles(fs).Select(f => fs.ReadAllBytes(f).Length));
        Entries.AssertSame(batch, (await node.ReopenAsync()).Entries);
    }

    [Fact]
    public async Task Large_payloads_reach_the_file_from_the_callers_memory_in_one_gathered_write_per_chunk()
    {
        var fs = new GatherRecordingFileSystem(new SimulatedFileSystem(1));
        var node = new Node(fs, "/node", 8 << 20);
        await node.OpenAsync();
        var batch = new List<LogEntry> { Entries.Make(1, 1, 10), Entries.Make(2, 1, 64 << 10), Entries.Make(3, 1, 100), Entries.Make(4, 1, 5001) };
        await node.Log.AppendAsync(batch);

        var write = Assert.Single(fs.GatheredWrites);
        foreach (var entry in batch.Where(e => e.Data.Length >= RecordWriter.GatherFrom))
        {
            Assert.Contains(write, part => part.Equals(entry.Data)); // The caller's memory itself, not a copy.
        }

        Assert.Equal(batch.Sum(e => 32 + ((e.Data.Length + 7) & ~7)), write.Sum(part => part.Length));
        Entries.AssertSame(batch, (await node.ReopenAsync()).Entries);

        fs.GatheredWrites.Clear();
        await node.Log.AppendAsync(Entries.Range(5, 100, 1, 64 << 10)); // 6.4 MiB: written in chunks of about 1 MiB
        Assert.Equal(7, fs.GatheredWrites.Count);
        Assert.All(fs.GatheredWrites, w => Assert.InRange(w.Sum(part => part.Length), 1, (1 << 20) + (64 << 10) + 40));
    }

    [Fact]
    public async Task Synced_log_pages_are_dropped_from_the_cache_in_steps_and_when_a_segment_is_sealed()
    {
        // The simulated disk throws when a dropped range holds unsynced bytes, so every call below was also checked for that.
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/node", 8 << 20);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 100, 1, 100));
        Assert.Equal(0, fs.CacheDropCount); // Less than a step (1 MiB) of whole pages: no extra system call for small appends.

        await node.Log.AppendAsync(Entries.Range(101, 40, 1, 64 << 10)); // 2.5 MiB
        Assert.Equal(1, fs.CacheDropCount);

        await node.Log.AppendAsync(Entries.Range(141, 100, 1, 64 << 10)); // does not fit: seals the first segment
        Assert.Equal(3, fs.CacheDropCount); // The rest of the sealed segment, then the new segment's synced pages.
        Assert.Equal(240, (await node.ReopenAsync()).Entries.Count);
    }

    [Fact]
    public async Task Nothing_is_dropped_from_the_cache_when_syncing_is_off()
    {
        var fs = new SimulatedFileSystem(1);
        var options = new FileStorageOptions { Directory = "/node", SegmentSize = 1 << 20, Preallocation = SegmentPreallocation.None, FileSystem = fs, FsyncMode = FsyncMode.UnsafeNoSync };
        await using var storage = FileStorage.Open(options);
        await storage.Log.OpenAsync();
        await storage.Log.AppendAsync(Entries.Range(1, 40, 1, 64 << 10));
        Assert.Equal(0, fs.CacheDropCount);
        Assert.Equal(0, fs.SyncCount);
    }

    [Fact]
    public void The_simulated_disk_refuses_to_drop_unsynced_bytes_from_the_cache()
    {
        var fs = new SimulatedFileSystem(1);
        fs.CreateDirectory("/d");
        using var file = fs.OpenFile("/d/f", StorageFileMode.CreateNew);
        file.Write(0, new byte[8192]);
        var e = Assert.Throws<InvalidOperationException>(() => file.DropCache(4096, 4096));
        Assert.Contains("only synced data may be dropped", e.Message);

        file.Sync(dataOnly: true);
        file.DropCache(0, 8192);
        file.Write(8192, new byte[10]);
        file.DropCache(0, 8192); // The unsynced write lies outside the range.
        Assert.Equal(2, fs.CacheDropCount);
    }

    [Fact]
    public void Dropping_synced_pages_of_a_real_file_keeps_its_content()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "f");
        var data = Entries.Payload(1, 1, 3 << 20);
        using (var file = PhysicalStorageFileSystem.Instance.OpenFile(path, StorageFileMode.CreateNew, 4 << 20))
        {
            file.Write(0, data);
            file.Sync(dataOnly: true);
            file.DropCache(0, data.Length);
            var back = new byte[data.Length];
            Assert.Equal(data.Length, file.Read(0, back));
            Assert.Equal(data, back);
        }

        Assert.Equal(data, File.ReadAllBytes(path));
    }
}

/// <summary>Passes everything to another file system and keeps the buffer lists of gathered writes.</summary>
internal sealed class GatherRecordingFileSystem(IStorageFileSystem inner) : DelegatingFileSystem(inner)
{
    public List<List<ReadOnlyMemory<byte>>> GatheredWrites { get; } = [];

    public override IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0) =>
        new File(this, base.OpenFile(path, mode, preallocationSize));

    private sealed class File(GatherRecordingFileSystem fs, IStorageFile inner) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

        public void Write(long offset, ReadOnlySpan<byte> data) => inner.Write(offset, data);

        public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            fs.GatheredWrites.Add([.. buffers]);
            inner.Write(offset, buffers);
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void DropCache(long offset, long count) => inner.DropCache(offset, count);

        public void Sync(bool dataOnly) => inner.Sync(dataOnly);

        public void Dispose() => inner.Dispose();
    }
}
