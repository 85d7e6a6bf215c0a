namespace HsmRaft.Storage.Tests;

public class OptionsAndLockTests
{
    [Theory]
    [InlineData("", 1 << 20, FsyncMode.DataSync, SegmentPreallocation.Reserve, "Directory", "data directory")]
    [InlineData("/d", 100, FsyncMode.DataSync, SegmentPreallocation.Reserve, "SegmentSize", "67108864")]
    [InlineData("/d", 2L << 30, FsyncMode.DataSync, SegmentPreallocation.Reserve, "SegmentSize", "1073741824")]
    [InlineData("/d", 1 << 20, (FsyncMode)7, SegmentPreallocation.Reserve, "FsyncMode", "FsyncMode.DataSync")]
    [InlineData("/d", 1 << 20, FsyncMode.DataSync, (SegmentPreallocation)7, "Preallocation", "SegmentPreallocation.Reserve")]
    public void Invalid_options_fail_at_open_naming_the_setting_and_a_valid_value(string directory, long segmentSize, FsyncMode fsync, SegmentPreallocation prealloc, string setting, string validValue)
    {
        var options = new FileStorageOptions { Directory = directory, SegmentSize = segmentSize, FsyncMode = fsync, Preallocation = prealloc, FileSystem = new SimulatedFileSystem(1) };
        var e = Assert.Throws<ArgumentException>(() => FileStorage.Open(options));
        Assert.Contains("FileStorageOptions." + setting, e.Message);
        Assert.Contains(validValue, e.Message);
    }

    [Fact]
    public void Default_options_are_valid_and_safe()
    {
        var options = new FileStorageOptions { Directory = "/d" };
        options.Validate();
        Assert.Equal(FsyncMode.DataSync, options.FsyncMode);
        Assert.Equal(64L << 20, options.SegmentSize);
    }

    [Fact]
    public async Task A_second_open_of_the_same_directory_is_refused_until_every_store_is_disposed()
    {
        using var dir = new TempDirectory();
        var first = FileStorage.Open(new FileStorageOptions { Directory = dir.Path });
        var e = Assert.Throws<StorageLockedException>(() => FileStorage.Open(new FileStorageOptions { Directory = dir.Path }));
        Assert.Contains($"pid {Environment.ProcessId}", e.Message);
        Assert.Contains("FileStorageOptions.Directory", e.Message);

        // The stores share the lock: it is released only when the last of them is disposed.
        await first.Log.DisposeAsync();
        await first.Stable.DisposeAsync();
        Assert.Throws<StorageLockedException>(() => FileStorage.Open(new FileStorageOptions { Directory = dir.Path }));
        await first.Snapshots.DisposeAsync();
        await using var second = FileStorage.Open(new FileStorageOptions { Directory = dir.Path });
        await first.DisposeAsync(); // Disposing again must not release the second holder's lock.
        Assert.Throws<StorageLockedException>(() => FileStorage.Open(new FileStorageOptions { Directory = dir.Path }));
    }

    [Fact]
    public async Task Unsafe_no_sync_mode_never_syncs_and_warns()
    {
        var fs = new SimulatedFileSystem(1);
        var logger = new ListLogger();
        await using var storage = FileStorage.Open(new FileStorageOptions { Directory = "/n", FsyncMode = FsyncMode.UnsafeNoSync, FileSystem = fs }, logger);
        await storage.Log.OpenAsync();
        await storage.Log.AppendAsync(Entries.Range(1, 10, 1, 100));
        await storage.Stable.SaveAsync(new PersistentState(new HardState(1, 0, 0), ClusterConfiguration.Empty));
        Assert.Equal(0, fs.SyncCount);
        Assert.Equal(0, fs.DirectorySyncCount);
        Assert.Contains(logger.Messages, m => m.EventId == 6006 && m.Message.Contains("Never use this in production", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reserved_segments_do_not_change_the_file_length_and_recover_cleanly_on_a_real_disk()
    {
        using var dir = new TempDirectory();
        var node = new Node(null, dir.Path, 1 << 20, SegmentPreallocation.Reserve);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 3, 1, 10));
        var segment = Directory.GetFiles(Path.Combine(dir.Path, "log"), "*.seg").Single();
        Assert.True(new FileInfo(segment).Length < 4096, "reserving space must not make unwritten space part of the file");
        Assert.Equal(3, (await node.ReopenAsync()).Entries.Count);
        await node.CloseAsync();
    }
}
