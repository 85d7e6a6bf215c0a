namespace HsmRaft.Storage.Tests;

public class SnapshotStoreTests
{
    private static readonly ClusterConfiguration Config = ClusterConfiguration.OfVoters(new ClusterMember(1, "a"), new ClusterMember(2, "b"));

    public static TheoryData<string> Kinds => ["file", "memory"];

    private static async Task<(ISnapshotStore Store, Func<Task<ISnapshotStore>> Reopen)> OpenAsync(string kind)
    {
        if (kind == "memory")
        {
            var memory = new InMemorySnapshotStore();
            return (memory, async () =>
            {
                await memory.OpenAsync();
                return memory;
            });
        }

        var node = new Node(new SimulatedFileSystem(1), "/n");
        await node.OpenAsync();
        return (node.Storage!.Snapshots, async () =>
        {
            await node.ReopenAsync();
            return node.Storage!.Snapshots;
        });
    }

    private static async Task<byte[]> ReadAllAsync(ISnapshotStore store)
    {
        await using var stream = (await store.OpenReadAsync())!;
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<SnapshotMetadata> WriteAsync(ISnapshotStore store, long index, byte[] data, bool commit = true)
    {
        await using var sink = await store.CreateAsync(new SnapshotMetadata(index, 2, Config));
        for (var at = 0; at < data.Length; at += 1000)
        {
            await sink.WriteAsync(data.AsMemory(at, Math.Min(1000, data.Length - at)));
            Assert.Equal(Math.Min(at + 1000, data.Length), sink.BytesWritten);
        }

        return commit ? await sink.CommitAsync() : sink.Metadata;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_committed_snapshot_is_the_latest_and_reads_back_after_a_restart(string kind)
    {
        var (store, reopen) = await OpenAsync(kind);
        Assert.Null(store.Latest);
        Assert.Null(await store.OpenReadAsync());
        var data = Entries.Payload(10, 2, 5000);
        var committed = await WriteAsync(store, 10, data);
        Assert.Equal(new SnapshotMetadata(10, 2, Config, 5000), committed);
        Assert.Equal(committed, store.Latest);
        Assert.Equal(data, await ReadAllAsync(store));

        store = await reopen();
        Assert.Equal(committed, store.Latest);
        Assert.Equal(data, await ReadAllAsync(store));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_uncommitted_snapshot_stays_invisible(string kind)
    {
        var (store, reopen) = await OpenAsync(kind);
        var first = await WriteAsync(store, 5, [1, 2, 3]);
        await WriteAsync(store, 9, [4, 5, 6], commit: false);
        Assert.Equal(first, store.Latest);
        store = await reopen();
        Assert.Equal(first, store.Latest);
        Assert.Equal([1, 2, 3], await ReadAllAsync(store));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_older_snapshot_cannot_replace_a_newer_one(string kind)
    {
        var (store, _) = await OpenAsync(kind);
        await WriteAsync(store, 20, [1]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(store, 10, [2]));
        Assert.Contains("older index 10", e.Message);
    }

    [Fact]
    public async Task A_new_snapshot_removes_the_old_file_and_abandoned_temporary_files()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n");
        await node.OpenAsync();
        await WriteAsync(node.Storage!.Snapshots, 5, [1]);
        await WriteAsync(node.Storage.Snapshots, 8, [2]);
        Assert.Single(fs.AllFiles(), f => f.StartsWith("/n/snapshots/", StringComparison.Ordinal));

        // A crash while writing leaves a temporary file; the next open removes it.
        await using (var sink = await node.Storage.Snapshots.CreateAsync(new SnapshotMetadata(12, 2, Config)))
        {
            await sink.WriteAsync(new byte[100]);
            await node.CloseAsync();
            fs.Crash(CrashMode.TornPrefix);
        }

        await node.OpenAsync();
        Assert.Equal(8, node.Storage.Snapshots.Latest!.LastIncludedIndex);
        Assert.Single(fs.AllFiles(), f => f.StartsWith("/n/snapshots/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Damage_after_opening_is_caught_when_the_data_is_read_to_the_end()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n");
        await node.OpenAsync();
        await WriteAsync(node.Storage!.Snapshots, 5, Entries.Payload(5, 2, 3000));
        var file = fs.AllFiles().Single(f => f.EndsWith(".snap", StringComparison.Ordinal));
        fs.CorruptByte(file, fs.ReadAllBytes(file).Length - 100, 0x01);

        var e = await Assert.ThrowsAsync<StorageCorruptedException>(() => ReadAllAsync(node.Storage.Snapshots));
        Assert.Equal(file, e.Path);
    }

    [Fact]
    public async Task The_read_stream_is_seekable_and_read_only()
    {
        var node = new Node(new SimulatedFileSystem(1), "/n");
        await node.OpenAsync();
        var data = Entries.Payload(5, 2, 3000);
        await WriteAsync(node.Storage!.Snapshots, 5, data);
        await using var stream = (await node.Storage.Snapshots.OpenReadAsync())!;
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Equal(3000, stream.Length);
        stream.Seek(-10, SeekOrigin.End);
        var tail = new byte[20];
        Assert.Equal(10, await stream.ReadAsync(tail));
        Assert.Equal(data[^10..], tail[..10]);
        stream.Position = 0;
        var all = new MemoryStream();
        await stream.CopyToAsync(all);
        Assert.Equal(data, all.ToArray());
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
    }
}
