using System.Buffers.Binary;
using System.Diagnostics;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>
/// One run: a fresh three-voter cluster in new directories, warm-up, a measured window with the mode's
/// writers, then checks (no leader change, no error, every voter applied every acknowledged command).
/// </summary>
public static class ClusterRun
{
    // Hang guards only: a healthy run never gets near them.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    // Commit needs only a majority, so the third voter may trail by thousands of entries when the
    // writers stop; under load it can take tens of seconds to catch up, which is not a fault.
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(60);

    public static async Task<RunResult> ExecuteAsync(
        ClusterImplementation implementation, WorkloadMode mode, int repetition, TimeSpan warmup, TimeSpan duration, string tempRoot)
    {
        var runDirectory = Path.Combine(tempRoot, $"{implementation.Key}-{mode.Key}-{repetition}-{Guid.NewGuid():N}");
        var dataDirectories = Enumerable.Range(0, 3).Select(i => Directory.CreateDirectory(Path.Combine(runDirectory, $"voter-{i}")).FullName).ToArray();
        var cluster = implementation.Create?.Invoke()
            ?? throw new InvalidOperationException($"{implementation.Name} is {implementation.UnavailableReason}.");
        try
        {
            try
            {
                using var start = new CancellationTokenSource(StartTimeout);
                await cluster.StartAsync(dataDirectories, start.Token);
                await cluster.WaitForLeaderAsync(start.Token);
            }
            catch (Exception e)
            {
                // One cluster that fails to start (say, a port taken between choosing and binding it) spoils
                // only its own run; the report shows why.
                return RunResult.Failed(implementation.Name, mode, repetition, $"cluster did not start: {e.GetType().Name}: {e.Message}");
            }
            return await MeasureAsync(cluster, implementation, mode, repetition, warmup, duration);
        }
        finally
        {
            try
            {
                using var stop = new CancellationTokenSource(StartTimeout);
                await cluster.StopAsync(stop.Token);
            }
            finally
            {
                await cluster.DisposeAsync();
                Directory.Delete(runDirectory, recursive: true);
            }
        }
    }

    private static async Task<RunResult> MeasureAsync(
        IClusterUnderTest cluster, ClusterImplementation implementation, WorkloadMode mode, int repetition, TimeSpan warmup, TimeSpan duration)
    {
        var window = new MeasuredWindow();
        using var abort = new CancellationTokenSource();
        var writers = Enumerable.Range(0, mode.Writers)
            .Select(id => new Writer(id, mode.PayloadBytes))
            .ToArray();
        var tasks = writers.Select(w => Task.Run(() => w.RunAsync(cluster, window, abort.Token))).ToArray();

        await Task.Delay(warmup);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var startTicks = window.Open();
        await Task.Delay(duration);
        var endTicks = window.Close();
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;

        abort.CancelAfter(DrainTimeout);
        await Task.WhenAll(tasks);

        var latencies = LatencySamples.Merge(writers.Select(static w => w.Samples));
        var operations = latencies.Count;
        var problem = writers.Select(static w => w.Error).FirstOrDefault(static e => e is not null) is { } error
            ? $"a writer failed: {error.GetType().Name}: {error.Message}"
            : await CheckReplicationAsync(cluster, writers.Sum(static w => w.Completed));
        var leaderChanges = cluster.LeaderChanges;
        if (leaderChanges > 0)
            problem = $"leader changed {leaderChanges} time(s)" + (problem is null ? "" : "; " + problem);

        return new RunResult(
            implementation.Name, mode, repetition, operations,
            Seconds: (endTicks - startTicks) / (double)Stopwatch.Frequency,
            P50Ms: latencies.PercentileMs(0.50),
            P99Ms: latencies.PercentileMs(0.99),
            P999Ms: latencies.PercentileMs(0.999),
            CpuSecondsPer1000Ops: operations == 0 ? double.NaN : cpu.TotalSeconds * 1000 / operations,
            AllocatedBytesPerOp: operations == 0 ? double.NaN : allocated / (double)operations,
            leaderChanges, problem);
    }

    /// <summary>Every acknowledged command must be applied by every voter, or the cluster did not really replicate.</summary>
    private static async Task<string?> CheckReplicationAsync(IClusterUnderTest cluster, long acknowledged)
    {
        using var timeout = new CancellationTokenSource(ReplicationTimeout);
        try
        {
            await cluster.WaitForReplicationAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var progress = string.Join(", ", cluster.Applied.Select(static a => a.Count));
            return $"voters did not catch up within {ReplicationTimeout.TotalSeconds} s (applied {progress} of {acknowledged} acknowledged commands)";
        }
        var applied = cluster.Applied;
        for (var voter = 0; voter < applied.Count; voter++)
        {
            if (applied[voter].Count < acknowledged)
                return $"voter {voter} applied {applied[voter].Count} of {acknowledged} acknowledged commands";
            if (applied[voter].Count != applied[0].Count || applied[voter].Checksum != applied[0].Checksum)
                return $"voter {voter} applied different commands than voter 0 ({applied[voter].Count} vs {applied[0].Count}, checksums differ: {applied[voter].Checksum != applied[0].Checksum})";
        }
        return null;
    }

    /// <summary>The measured window, shared by the controller and the writers.</summary>
    private sealed class MeasuredWindow
    {
        private long start = long.MaxValue;
        private long end = long.MaxValue;
        private volatile bool closed;

        public bool IsClosed => closed;

        public long Open()
        {
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref start, now);
            return now;
        }

        public long Close()
        {
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref end, now);
            closed = true;
            return now;
        }

        /// <summary>True when an operation that completed at <paramref name="timestamp"/> counts.</summary>
        public bool Contains(long timestamp) => timestamp >= Volatile.Read(ref start) && timestamp < Volatile.Read(ref end);
    }

    /// <summary>One writer: proposes a command, awaits it, records the latency, repeats until the window closes.</summary>
    private sealed class Writer(int id, int payloadBytes)
    {
        private readonly byte[] command = new byte[payloadBytes];

        public LatencySamples Samples { get; } = new();
        public long Completed { get; private set; }
        public Exception? Error { get; private set; }

        public async Task RunAsync(IClusterUnderTest cluster, MeasuredWindow window, CancellationToken cancellationToken)
        {
            // Writer id and sequence number make every command distinct, like real client requests.
            BinaryPrimitives.WriteInt32LittleEndian(command, id);
            try
            {
                while (!window.IsClosed)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(command.AsSpan(4), (int)Completed);
                    var started = Stopwatch.GetTimestamp();
                    await cluster.ProposeAsync(command, cancellationToken);
                    var finished = Stopwatch.GetTimestamp();
                    Completed++;
                    if (window.Contains(finished)) Samples.Add(finished - started);
                }
            }
            catch (Exception e)
            {
                Error = e;
            }
        }
    }
}
