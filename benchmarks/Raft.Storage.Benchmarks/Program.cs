// Durable log benchmark (issue 6). Measures, in one run and one directory:
//   1. the raw fdatasync rate (16-byte append + fdatasync, and 4 KiB overwrite in place + fdatasync),
//   2. the raw sequential write bandwidth (4 MiB writes, one fdatasync per 64 MiB, synced pages dropped from the cache),
//   3. FileLogStore.AppendAsync throughput for 16 B, 1 KiB and 64 KiB entries in batches of 1, 64 and 1024,
// and prints a Markdown table comparing 3 with 1 and 2.
// Usage: dotnet run -c Release --project benchmarks/Raft.Storage.Benchmarks -- [--quick] [--dir PATH] [--seconds N]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using HsmRaft;
using HsmRaft.Storage;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
var root = Arg("--dir") ?? Path.Combine(Path.GetTempPath(), "hsmraft-storage-bench");
var seconds = double.Parse(Arg("--seconds") ?? (quick ? "0.7" : "3"), CultureInfo.InvariantCulture);
Directory.CreateDirectory(root);

Console.WriteLine($"Machine: {Machine.Describe(root)}");
Console.WriteLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {seconds} s per measurement; directory {root}; load average at start: {Machine.LoadAverage()}");
Console.WriteLine();

var rawAppend = Raw.FdatasyncRate(root, seconds, inPlace: false);
var rawInPlace = Raw.FdatasyncRate(root, seconds, inPlace: true);
var rawBandwidth = Raw.SequentialBandwidth(root, quick ? 256 : 1024);
Console.WriteLine("| raw disk (same directory) | value |");
Console.WriteLine("|---|---:|");
Console.WriteLine($"| fdatasync/s, 16 B append + fdatasync | {rawAppend:N0} |");
Console.WriteLine($"| fdatasync/s, 4 KiB overwrite in place + fdatasync | {rawInPlace:N0} |");
Console.WriteLine($"| sequential write MB/s (4 MiB writes, fdatasync + cache drop every 64 MiB) | {rawBandwidth:N0} |");
Console.WriteLine();

// Each cell alternates slices of the log benchmark with slices of a raw loop that appends the same number of bytes per
// fdatasync (the physical limit for that pattern), so both see the same disk: the machine is shared and its disk speed
// drifts, and a ratio between measurements taken minutes apart would mostly measure that drift.
const int Slices = 16;
Console.WriteLine("| entry | batch | entries/s | MB/s | fsyncs/s | p50 ms | p99 ms | CPU ms/batch | raw: same bytes per fdatasync into reserved 64 MiB files | log vs raw |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var cells = new List<(int Size, int Batch, long SegmentSize)>();
foreach (var size in new[] { 16, 1024, 65536 })
{
    foreach (var batch in new[] { 1, 64, 1024 })
    {
        cells.Add((size, batch, FileStorageOptions.DefaultSegmentSize));
    }
}

// A 1024 x 64 KiB batch is 32 KiB larger than a default 64 MiB segment (the log lets a batch that starts a segment overflow
// it, so it still takes one segment and one sync); show it with room to spare as well.
cells.Add((65536, 1024, 256L << 20));
foreach (var (size, batch, segmentSize) in cells)
{
    await using var bench = await LogBench.OpenAsync(root, size, batch, segmentSize);
    var bytesPerSync = LogBench.RecordSize(size) * batch;
    using var appender = new Raw.Appender(Path.Combine(root, "raw-append"), bytesPerSync);
    var raw = new Raw.Result(0, 0);
    for (var slice = 0; slice < Slices; slice++)
    {
        var r = appender.Run(seconds / Slices);
        raw = new Raw.Result(raw.SyncsPerSecond + (r.SyncsPerSecond / Slices), raw.MegabytesPerSecond + (r.MegabytesPerSecond / Slices));
        await bench.RunForAsync(seconds / Slices);
    }

    var log = bench.Result();
    var ratio = size == 65536 && batch > 1
        ? $"{100 * log.MegabytesPerSecond * (bytesPerSync / (double)(size * batch)) / raw.MegabytesPerSecond:N0}% of MB/s"
        : $"{100 * log.BatchesPerSecond / raw.SyncsPerSecond:N0}% of fsyncs/s";
    var segmentNote = segmentSize == FileStorageOptions.DefaultSegmentSize ? "" : $" (segments {segmentSize >> 20} MiB)";
    Console.WriteLine($"| {Size(size)} | {batch}{segmentNote} | {log.EntriesPerSecond:N0} | {log.MegabytesPerSecond:N1} | {log.BatchesPerSecond:N0} | {log.P50:N2} | {log.P99:N2} | {log.CpuMillisecondsPerBatch:N2} | " +
        $"{raw.SyncsPerSecond:N0}/s, {raw.MegabytesPerSecond:N1} MB/s | {ratio} |");
}

Console.WriteLine();
Console.WriteLine("MB/s counts payload bytes; the raw loop's MB/s counts the bytes it writes, so the MB/s ratio compares bytes on disk (records add a 32-byte header).");
Console.WriteLine("CPU ms/batch is this process's CPU time (all threads) per append: encoding, CRC-32C and system calls.");
Console.WriteLine($"Load average at end: {Machine.LoadAverage()}");

Directory.Delete(root, recursive: true);
return;

string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static string Size(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

/// <summary>The disk's limits, measured through the same file layer the log uses.</summary>
internal static class Raw
{
    public static double FdatasyncRate(string root, double seconds, bool inPlace)
    {
        var path = Path.Combine(root, "raw-sync");
        File.Delete(path);
        using var file = PhysicalStorageFileSystem.Instance.OpenFile(path, StorageFileMode.CreateNew);
        var data = new byte[inPlace ? 4096 : 16];
        file.Write(0, data);
        file.Sync(dataOnly: true);
        var count = 0L;
        var offset = 0L;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            file.Write(inPlace ? 0 : offset, data);
            file.Sync(dataOnly: true);
            offset += data.Length;
            count++;
        }

        var rate = count / sw.Elapsed.TotalSeconds;
        file.Dispose();
        File.Delete(path);
        return rate;
    }

    public readonly record struct Result(double SyncsPerSecond, double MegabytesPerSecond);

    /// <summary>
    /// The physical limit for a log's write pattern: appends <paramref name="bytesPerSync"/> bytes (in writes of at most
    /// 1 MiB) and fdatasyncs, in a loop, into 64 MiB files reserved up front, rolling to a new file (sync, create, directory
    /// sync) when one is full, and drops synced pages from the page cache like the log — what the log does, minus encoding,
    /// checksums and indexing. Kept open across slices.
    /// </summary>
    public sealed class Appender(string directory, int bytesPerSync) : IDisposable
    {
        private const long FileSize = 64L << 20;
        private readonly byte[] _chunk = RandomBytes(Math.Min(bytesPerSync, 1 << 20));
        private IStorageFile? _file;
        private long _offset;
        private long _dropped;
        private int _files;

        public Result Run(double seconds)
        {
            var (syncs, bytes) = (0L, 0L);
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds || syncs < 2)
            {
                if (_file is null || _offset + bytesPerSync > FileSize)
                {
                    Roll();
                }

                for (var done = 0; done < bytesPerSync; done += _chunk.Length)
                {
                    var n = Math.Min(_chunk.Length, bytesPerSync - done);
                    _file!.Write(_offset, _chunk.AsSpan(0, n));
                    _offset += n;
                }

                _file!.Sync(dataOnly: true);
                DropSynced(all: false);
                syncs++;
                bytes += bytesPerSync;
            }

            var elapsed = sw.Elapsed.TotalSeconds;
            return new Result(syncs / elapsed, bytes / elapsed / 1e6);
        }

        // The log lets the kernel drop synced pages from its cache (see FileLogStore.DropSyncedFromCache); without the same
        // here, this loop's writes would pay for fresh page-cache memory that the log's do not, and it would not be the limit.
        private void DropSynced(bool all)
        {
            var end = all ? _offset : _offset & ~4095L;
            if (_file is not null && end > _dropped)
            {
                _file.DropCache(_dropped, end - _dropped);
                _dropped = end;
            }
        }

        private void Roll()
        {
            _file?.Sync(dataOnly: true);
            DropSynced(all: true);
            _file?.Dispose();
            Directory.CreateDirectory(directory);
            _file = PhysicalStorageFileSystem.Instance.OpenFile(Path.Combine(directory, $"raw-{++_files}"), StorageFileMode.CreateNew, FileSize);
            PhysicalStorageFileSystem.Instance.SyncDirectory(directory);
            _offset = 0;
            _dropped = 0;
        }

        public void Dispose()
        {
            _file?.Dispose();
            Directory.Delete(directory, recursive: true);
        }

        private static byte[] RandomBytes(int n)
        {
            var bytes = new byte[n];
            Random.Shared.NextBytes(bytes);
            return bytes;
        }
    }

    public static double SequentialBandwidth(string root, int megabytes)
    {
        var path = Path.Combine(root, "raw-bandwidth");
        File.Delete(path);
        var chunk = new byte[4 << 20];
        Random.Shared.NextBytes(chunk);
        using var file = PhysicalStorageFileSystem.Instance.OpenFile(path, StorageFileMode.CreateNew);
        var sw = Stopwatch.StartNew();
        for (var written = 0L; written < (long)megabytes << 20; written += chunk.Length)
        {
            file.Write(written, chunk);
            if ((written + chunk.Length) % (64 << 20) == 0)
            {
                file.Sync(dataOnly: true);
                file.DropCache(written + chunk.Length - (64 << 20), 64 << 20);
            }
        }

        file.Sync(dataOnly: true);
        var mbps = megabytes * 1.048576 / sw.Elapsed.TotalSeconds; // MB (10^6 bytes) per second
        file.Dispose();
        File.Delete(path);
        return mbps;
    }
}

internal sealed record LogResult(double EntriesPerSecond, double MegabytesPerSecond, double BatchesPerSecond, double P50, double P99, double CpuMillisecondsPerBatch);

/// <summary>Appends batches to a fresh FileStorage with default options (fdatasync, reserved segments), in timed slices.</summary>
internal sealed class LogBench : IAsyncDisposable
{
    private readonly string _dir;
    private readonly FileStorage _storage;
    private readonly LogEntry[] _batch;
    private readonly byte[] _payload;
    private readonly List<double> _latencies = [];
    private long _next = 1;
    private double _elapsed;
    private TimeSpan _cpu;

    private LogBench(string dir, FileStorage storage, int size, int batchSize)
    {
        _dir = dir;
        _storage = storage;
        _payload = new byte[size];
        Random.Shared.NextBytes(_payload);
        _batch = new LogEntry[batchSize];
    }

    /// <summary>Bytes a record of a <paramref name="size"/>-byte entry takes in a segment (32-byte header, 8-byte alignment).</summary>
    public static int RecordSize(int size) => 32 + ((size + 7) & ~7);

    public static async Task<LogBench> OpenAsync(string root, int size, int batchSize, long segmentSize)
    {
        var dir = Path.Combine(root, $"log-{size}-{batchSize}-{segmentSize}");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var storage = FileStorage.Open(new FileStorageOptions { Directory = dir, SegmentSize = segmentSize });
        await storage.Log.OpenAsync();
        return new LogBench(dir, storage, size, batchSize);
    }

    public async Task RunForAsync(double seconds)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var batches = 0;
        while (sw.Elapsed.TotalSeconds < seconds || batches < 2)
        {
            for (var i = 0; i < _batch.Length; i++)
            {
                _batch[i] = new LogEntry(_next + i, 1, LogEntryKind.Command, _payload);
            }

            var start = sw.Elapsed.TotalMilliseconds;
            await _storage.Log.AppendAsync(_batch);
            _latencies.Add(sw.Elapsed.TotalMilliseconds - start);
            _next += _batch.Length;
            batches++;
        }

        _elapsed += sw.Elapsed.TotalSeconds;
        _cpu += Process.GetCurrentProcess().TotalProcessorTime - cpu;
    }

    public LogResult Result()
    {
        var entries = (_next - 1) / _elapsed;
        var sorted = _latencies.Order().ToList();
        return new LogResult(entries, entries * _payload.Length / 1e6, sorted.Count / _elapsed, sorted[sorted.Count / 2], sorted[(int)(sorted.Count * 0.99)],
            _cpu.TotalMilliseconds / sorted.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

internal static class Machine
{
    public static string Describe(string directory)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; " +
            $".NET {Environment.Version}; file system: {FileSystemOf(directory)}";
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string FileSystemOf(string directory)
    {
        if (!File.Exists("/proc/mounts"))
        {
            return "unknown";
        }

        var full = Path.GetFullPath(directory);
        var best = File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Where(p => p.Length > 2 && full.StartsWith(p[1], StringComparison.Ordinal))
            .MaxBy(p => p[1].Length);
        return best is null ? "unknown" : $"{best[2]} on {best[0]}";
    }
}
