namespace HsmRaft.Storage.Tests;

/// <summary>
/// Flips random bits in every kind of stored file and checks that the node notices: it refuses to start with an error
/// naming the damaged file and offset. The only damage recovery may repair instead is damage inside the final write
/// unit of the last segment, which is indistinguishable from a torn write; it then logs the repair and keeps every
/// entry before that unit.
/// </summary>
public class CorruptionTests
{
    private const int Trials = 150;

    [Fact]
    public Task Flipped_bits_in_log_segments_are_detected() =>
        Seeded.RunAsync(nameof(Flipped_bits_in_log_segments_are_detected), Seeded.Seeds(101, 102), async seed =>
        {
            var random = new Random(seed);
            var (detected, repaired) = (0, 0);
            for (var trial = 0; trial < Trials; trial++)
            {
                var (fs, expected, lastBatchFirst) = await BuildLogAsync();
                var segments = fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).ToList();
                var file = segments[random.Next(segments.Count)];
                var offset = random.Next(fs.ReadAllBytes(file).Length);
                fs.CorruptByte(file, offset, (byte)(1 << random.Next(8)));
                var context = $"trial {trial}: flipped a bit at offset {offset} of {file}";

                var node = new Node(fs, "/n", 1024);
                try
                {
                    var recovery = await node.OpenAsync();
                    // Not refused: only allowed as a torn-write repair of the last write unit, logged, keeping all before it.
                    Assert.True(file == segments[^1], $"damage in a non-last segment was not reported ({context})");
                    Assert.True(node.Logger.Has(6000) || node.Logger.Has(6001), $"damage was neither reported nor logged as a torn-write repair ({context})");
                    Assert.True(recovery.Entries.Count >= lastBatchFirst - 1, $"the repair dropped entries before the last write unit ({context})");
                    Entries.AssertSame(expected.Take(recovery.Entries.Count).ToList(), recovery.Entries);
                    repaired++;
                }
                catch (StorageCorruptedException e)
                {
                    Assert.Equal(file, e.Path);
                    Assert.True(e.Offset <= offset, $"reported offset {e.Offset} is after the damage ({context})");
                    Assert.Contains("docs/storage.md#recovery", e.Message);
                    detected++;
                }
            }

            Assert.True(detected > Trials * 3 / 4, $"only {detected} of {Trials} flips were reported ({repaired} repaired as torn writes)");
        });

    [Fact]
    public Task Flipped_bits_in_the_hard_state_and_the_start_marker_are_always_detected() =>
        Seeded.RunAsync(nameof(Flipped_bits_in_the_hard_state_and_the_start_marker_are_always_detected), Seeded.Seeds(201), async seed =>
        {
            var random = new Random(seed);
            foreach (var file in new[] { "/n/state", "/n/log/start" })
            {
                for (var trial = 0; trial < 60; trial++)
                {
                    var (fs, _, _) = await BuildLogAsync();
                    var offset = random.Next(fs.ReadAllBytes(file).Length);
                    fs.CorruptByte(file, offset, (byte)(1 << random.Next(8)));
                    var node = new Node(fs, "/n", 1024);
                    var e = await Assert.ThrowsAsync<StorageCorruptedException>(async () =>
                    {
                        await node.OpenAsync();
                        await node.Storage!.Stable.LoadAsync();
                    });
                    Assert.Equal(file, e.Path);
                    await node.CloseAsync();
                }
            }
        });

    [Fact]
    public Task Flipped_bits_in_a_snapshot_are_always_detected() =>
        Seeded.RunAsync(nameof(Flipped_bits_in_a_snapshot_are_always_detected), Seeded.Seeds(301), async seed =>
        {
            var random = new Random(seed);
            for (var trial = 0; trial < 80; trial++)
            {
                var (fs, _, _) = await BuildLogAsync();
                var file = fs.AllFiles().Single(f => f.EndsWith(".snap", StringComparison.Ordinal));
                var offset = random.Next(fs.ReadAllBytes(file).Length);
                fs.CorruptByte(file, offset, (byte)(1 << random.Next(8)));
                var e = await Assert.ThrowsAsync<StorageCorruptedException>(() => new Node(fs, "/n", 1024).OpenAsync());
                Assert.Equal(file, e.Path);
            }
        });

    [Fact]
    public async Task A_missing_middle_segment_is_reported_as_a_gap()
    {
        var (fs, _, _) = await BuildLogAsync();
        var segments = fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).ToList();
        fs.DeleteFile(segments[1]);
        var e = await Assert.ThrowsAsync<StorageCorruptedException>(() => new Node(fs, "/n", 1024).OpenAsync());
        Assert.Equal(segments[2], e.Path);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public async Task A_segment_renamed_out_of_place_is_reported()
    {
        var (fs, _, _) = await BuildLogAsync();
        var segments = fs.AllFiles().Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).ToList();
        var moved = segments[1][..^24] + "00000000000000000999.seg";
        fs.RenameFile(segments[1], moved);
        var e = await Assert.ThrowsAsync<StorageCorruptedException>(() => new Node(fs, "/n", 1024).OpenAsync());
        Assert.Equal(moved, e.Path);
    }

    [Fact]
    public async Task A_segment_from_a_newer_format_is_refused_with_a_version_message()
    {
        var (fs, _, _) = await BuildLogAsync();
        var segment = fs.AllFiles().First(f => f.EndsWith(".seg", StringComparison.Ordinal));
        var bytes = fs.ReadAllBytes(segment);
        bytes[8] = 2; // format version 2, with a header CRC that matches
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(60), Format.Crc32C.Compute(bytes.AsSpan(0, 60)));
        fs.WriteAllBytes(segment, bytes);
        var e = await Assert.ThrowsAsync<UnsupportedStorageFormatException>(() => new Node(fs, "/n", 1024).OpenAsync());
        Assert.Equal(2u, e.FoundVersion);
        Assert.Contains("version 2", e.Message);
    }

    [Fact]
    public async Task Damage_on_a_real_disk_names_the_file_offset_index_and_the_recovery_procedure()
    {
        using var dir = new TempDirectory();
        var node = new Node(null, dir.Path, 4096);
        await node.OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await node.Log.AppendAsync(Entries.Range((i * 10) + 1, 10, 1, 200));
        }

        await node.CloseAsync();
        var segment = Directory.GetFiles(Path.Combine(dir.Path, "log"), "*.seg").Order(StringComparer.Ordinal).First();
        await using (var f = File.Open(segment, FileMode.Open))
        {
            f.Position = 64 + 232 + 40; // inside the payload of the second record (index 2); records are 32 + 200 bytes
            var b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0x10));
        }

        var e = await Assert.ThrowsAsync<StorageCorruptedException>(() => node.OpenAsync());
        Assert.Equal(segment, e.Path);
        Assert.Equal(64 + 232, e.Offset);
        Assert.Equal(2, e.LogIndex);
        Assert.Contains($"'{segment}' at byte offset 296 (log index 2)", e.Message);
        Assert.Contains("move its data directory aside", e.Message);

        // Reads of data damaged after opening are refused as well.
        var fresh = new TempDirectory();
        var live = new Node(null, fresh.Path, 4096);
        await live.OpenAsync();
        await live.Log.AppendAsync(Entries.Range(1, 10, 1, 200));
        var liveSegment = Directory.GetFiles(Path.Combine(fresh.Path, "log"), "*.seg").Single();
        await using (var f = new FileStream(liveSegment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            f.Position = 64 + (3 * 232) + 50;
            f.WriteByte(0xAA);
        }

        var readError = await Assert.ThrowsAsync<StorageCorruptedException>(async () => await live.Log.ReadAsync(1, 11, new List<LogEntry>()));
        Assert.Equal(4, readError.LogIndex);
        await live.CloseAsync();
        fresh.Dispose();
    }

    /// <summary>A log of several 1 KiB segments written in batches, compacted once, plus a hard state and a snapshot.</summary>
    private static async Task<(SimulatedFileSystem Fs, List<LogEntry> Expected, long LastBatchFirst)> BuildLogAsync()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n", 1024);
        await node.OpenAsync();
        var all = new List<LogEntry>();
        for (var i = 0; i < 8; i++)
        {
            var batch = Entries.Range(all.Count + 1, 3, 1, 90 + (i * 11));
            await node.Log.AppendAsync(batch);
            all.AddRange(batch);
        }

        await node.Log.CompactAsync(2, 1);
        await node.Storage!.Stable.SaveAsync(new PersistentState(new HardState(3, 2, 9), ClusterConfiguration.OfVoters(new ClusterMember(1, "a"))));
        await using (var sink = await node.Storage.Snapshots.CreateAsync(new SnapshotMetadata(2, 1, ClusterConfiguration.Empty)))
        {
            await sink.WriteAsync(Entries.Payload(2, 1, 700));
            await sink.CommitAsync();
        }

        await node.CloseAsync();
        return (fs, all.Skip(2).ToList(), all[^3].Index - 2);
    }
}
