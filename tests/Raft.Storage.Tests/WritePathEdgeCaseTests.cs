using HsmRaft.Storage.Format;

namespace HsmRaft.Storage.Tests;

/// <summary>Review checks for the issue-6 append path: CRC equivalence, segment size changes, real gathered writes.</summary>
public class WritePathEdgeCaseTests
{
    /// <summary>Registers of the bit-by-bit definition after every prefix of <paramref name="data"/>, from <paramref name="start"/>.</summary>
    private static uint[] ReferencePrefixes(uint start, ReadOnlySpan<byte> data)
    {
        var regs = new uint[data.Length + 1];
        var crc = start;
        regs[0] = crc;
        for (var i = 0; i < data.Length; i++)
        {
            crc ^= data[i];
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }

            regs[i + 1] = crc;
        }

        return regs;
    }

    [Fact]
    public void Crc_equals_the_reference_for_every_length_0_to_5000_at_every_alignment_and_from_any_register()
    {
        var rng = new Random(1234);
        var data = new byte[5000 + 8];
        rng.NextBytes(data);
        foreach (var start in new[] { Crc32C.Seed, 0u, 0x12345678u, (uint)rng.Next() })
        {
            for (var offset = 0; offset < 8; offset++)
            {
                var regs = ReferencePrefixes(start, data.AsSpan(offset, 5000));
                for (var length = 0; length <= 5000; length++)
                {
                    var got = Crc32C.Update(start, data.AsSpan(offset, length));
                    if (got != regs[length])
                    {
                        Assert.Fail($"start {start:X8} offset {offset} length {length}: {got:X8} != {regs[length]:X8}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Crc_equals_the_reference_around_every_multiple_of_the_three_stream_block_up_to_40_KiB()
    {
        var rng = new Random(99);
        var data = new byte[(40 << 10) + 16];
        rng.NextBytes(data);
        for (var offset = 0; offset < 8; offset += 3)
        {
            var regs = ReferencePrefixes(Crc32C.Seed, data.AsSpan(offset, 40 << 10));
            for (var block = 1; block * 3 * Crc32C.StreamLength <= (40 << 10); block++)
            {
                for (var d = -17; d <= 17; d++)
                {
                    var length = (block * 3 * Crc32C.StreamLength) + d;
                    if (length <= (40 << 10))
                    {
                        Assert.Equal(regs[length], Crc32C.Update(Crc32C.Seed, data.AsSpan(offset, length)));
                    }
                }
            }

            // Split anywhere: incremental updates equal one pass even when a split falls inside a block.
            for (var split = 0; split < 9000; split += 251)
            {
                var a = Crc32C.Update(Crc32C.Seed, data.AsSpan(offset, split));
                Assert.Equal(regs[20000], Crc32C.Update(a, data.AsSpan(offset + split, 20000 - split)));
            }
        }
    }

    [Fact]
    public async Task Oversized_segments_survive_segment_size_changes_between_runs()
    {
        var fs = new SimulatedFileSystem(3);
        var expected = new List<LogEntry>();

        var node = new Node(fs, "/n", 4096);
        await node.OpenAsync();
        var a = Entries.Range(1, 2, 1, 100);
        await node.Log.AppendAsync(a);
        var b = Entries.Range(3, 31, 1, 100); // overruns a fresh 4 KiB segment (4280 bytes)
        await node.Log.AppendAsync(b);
        expected.AddRange(a);
        expected.AddRange(b);
        await node.CloseAsync();

        // Smaller segments now: the oversized last segment must be accepted, sealed and continued from.
        node = new Node(fs, "/n", 1024);
        Entries.AssertSame(expected, (await node.OpenAsync()).Entries);
        var c = Entries.Range(34, 3, 1, 10);
        await node.Log.AppendAsync(c);
        var d = Entries.Range(37, 12, 1, 100); // 1632 bytes: overruns 1 KiB by more than a quarter -> split
        await node.Log.AppendAsync(d);
        expected.AddRange(c);
        expected.AddRange(d);
        Entries.AssertSame(expected, await node.ReadAllAsync());
        await node.CloseAsync();

        // Larger again, and a conflicting suffix replacing entries across segments.
        node = new Node(fs, "/n", 64 << 10);
        Entries.AssertSame(expected, (await node.OpenAsync()).Entries);
        var e = Entries.Range(30, 40, 2, 700);
        await node.Log.AppendAsync(e);
        expected = [.. expected.Take(29), .. e];
        Entries.AssertSame(expected, await node.ReadAllAsync());
        Entries.AssertSame(expected, (await node.ReopenAsync()).Entries);
        await node.CloseAsync();

        node = new Node(fs, "/n", 1024);
        Entries.AssertSame(expected, (await node.OpenAsync()).Entries);
        await node.CloseAsync();
    }

    [Fact]
    public async Task Real_disk_gathered_writes_from_caller_slices_read_back_exactly()
    {
        using var dir = new TempDirectory();
        var node = new Node(null, dir.Path, 1 << 20, SegmentPreallocation.Reserve);
        await node.OpenAsync();
        var sizes = new[] { 4096, 4097, 5003, 10, 8191, 70000, 4095, 0, 12345, 3 << 20 };
        var backing = new byte[16 << 20];
        new Random(5).NextBytes(backing);
        var expected = new List<LogEntry>();
        var at = 1; // odd offsets into one shared array
        long index = 1;
        for (var batch = 0; batch < 6; batch++)
        {
            var entries = new List<LogEntry>();
            var count = batch == 3 ? 200 : 1 + (batch * 7);
            for (var i = 0; i < count; i++)
            {
                var size = sizes[(int)(index % sizes.Length)];
                if (at + size > backing.Length)
                {
                    at = 3;
                }

                entries.Add(new LogEntry(index, 1, LogEntryKind.Command, backing.AsMemory(at, size)));
                at += size + 1;
                index++;
            }

            await node.Log.AppendAsync(entries);
            expected.AddRange(entries.Select(x => new LogEntry(x.Index, x.Term, x.Kind, x.Data.ToArray())));
        }

        new Random(6).NextBytes(backing); // the caller reuses its memory after the appends returned
        Entries.AssertSame(expected, await node.ReadAllAsync());
        Entries.AssertSame(expected, (await node.ReopenAsync()).Entries);
        await node.CloseAsync();
    }

    /// <summary>A process killed after writing a batch but before its sync leaves complete records in the page cache;
    /// the next run recovers them as log entries (Unsynced = false), then seals that segment without syncing it.</summary>
    [Fact]
    public async Task Sealing_a_recovered_segment_whose_tail_was_never_synced_drops_only_synced_pages()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n", 4096);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 5, 1, 100));
        fs.FaultInjector = op => op.Kind == SimulatedOperationKind.Sync ? new SimulatedCrashException() : null; // killed before the sync
        await Assert.ThrowsAsync<SimulatedCrashException>(async () => await node.Log.AppendAsync(Entries.Range(6, 5, 1, 100)));
        fs.FaultInjector = null;
        await node.CloseAsync(); // a process kill: the written pages stay in the (simulated) page cache

        var recovery = await node.OpenAsync();
        Assert.Equal(10, recovery.Entries.Count); // the unsynced entries 6..10 are recovered as part of the log
        await node.Log.AppendAsync(Entries.Range(11, 25, 1, 100)); // does not fit: seals the recovered segment
        await node.CloseAsync();

        fs.Crash(CrashMode.DropUnsynced); // power loss after the append above was acknowledged
        var after = await node.OpenAsync();
        Assert.Equal(35, after.Entries.Count);
    }

    [Fact]
    public async Task A_segment_started_by_an_overrunning_batch_reserves_the_whole_batch()
    {
        var inner = new SimulatedFileSystem(1);
        var fs = new PreallocationRecordingFileSystem(inner);
        var node = new Node(fs, "/n", 4096, SegmentPreallocation.Reserve);
        await node.OpenAsync();
        await node.Log.AppendAsync(Entries.Range(1, 1, 1, 100));
        await node.Log.AppendAsync(Entries.Range(2, 31, 1, 100)); // 4280 bytes with the header: overruns its fresh segment
        await node.Log.AppendAsync(Entries.Range(33, 80, 1, 100)); // larger than the quarter: reserved up to the bound, then split
        Assert.Equal([4096, 4280, 5120, 4096, 4096], fs.Reservations);
        Assert.Equal(112, (await node.ReopenAsync()).Entries.Count);
    }
}

/// <summary>Passes everything to another file system and records the preallocation size of every created segment.</summary>
internal sealed class PreallocationRecordingFileSystem(IStorageFileSystem inner) : DelegatingFileSystem(inner)
{
    public List<long> Reservations { get; } = [];

    public override IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        if (path.EndsWith(".seg", StringComparison.Ordinal) && mode == StorageFileMode.CreateNew)
        {
            Reservations.Add(preallocationSize);
        }

        return base.OpenFile(path, mode, preallocationSize);
    }
}
