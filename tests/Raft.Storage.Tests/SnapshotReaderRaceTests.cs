namespace HsmRaft.Storage.Tests;

/// <summary>The leader streams the latest snapshot on one thread while the apply loop may commit a newer one (which removes
/// the older file): a reader must get a consistent snapshot — metadata and file of the same one — never a missing file.</summary>
public class SnapshotReaderRaceTests
{
    private static readonly ClusterConfiguration Config = ClusterConfiguration.OfVoters(new ClusterMember(1, "a"));

    [Fact]
    public async Task A_reader_that_loses_the_race_with_a_newer_commit_opens_the_newer_snapshot()
    {
        var disk = new OpenHookFileSystem(new SimulatedFileSystem(1));
        var node = new Node(disk, "/n");
        await node.OpenAsync();
        var store = node.Storage!.Snapshots;
        await WriteAsync(store, 10, Entries.Payload(10, 2, 3000));
        var newer = Entries.Payload(20, 2, 4000);

        // Between reading which snapshot is the latest and opening its file, a newer snapshot is committed and the old file removed.
        disk.BeforeOpenForRead = path =>
        {
            disk.BeforeOpenForRead = null;
            WriteAsync(store, 20, newer).AsTask().GetAwaiter().GetResult(); // completes synchronously on the simulated disk
            Assert.False(disk.FileExists(path), "the older snapshot file was removed by the newer commit");
        };

        await using var stream = (await store.OpenReadAsync())!;
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(newer, copy.ToArray());
        Assert.Equal(20, store.Latest!.LastIncludedIndex);
        Assert.Null(disk.BeforeOpenForRead); // the hook ran
    }

    private static async ValueTask<SnapshotMetadata> WriteAsync(ISnapshotStore store, long index, byte[] data)
    {
        await using var sink = await store.CreateAsync(new SnapshotMetadata(index, 2, Config));
        await sink.WriteAsync(data);
        return await sink.CommitAsync();
    }

    private sealed class OpenHookFileSystem(IStorageFileSystem inner) : DelegatingFileSystem(inner)
    {
        public Action<string>? BeforeOpenForRead { get; set; }

        public override IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0)
        {
            if (mode == StorageFileMode.OpenRead && BeforeOpenForRead is { } hook)
            {
                hook(path);
            }

            return base.OpenFile(path, mode, preallocationSize);
        }
    }
}
