using System.Diagnostics;
using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.Probes;

/// <summary>What one physical-limit probe measured.</summary>
public sealed record ProbeResult(string Name, long Operations, double Seconds, double P50Ms, double P99Ms)
{
    /// <summary>Operations per second over all threads of the probe.</summary>
    public double PerSecond => Operations / Seconds;

    /// <summary>
    /// Runs <paramref name="threads"/> dedicated threads for <paramref name="duration"/>, each repeating the
    /// operation its factory returns and timing every call. Dedicated blocking threads keep the thread pool
    /// and async machinery out of the measurement: this is what the kernel and hardware can do.
    /// </summary>
    public static ProbeResult Measure(string name, int threads, TimeSpan duration, Func<int, Action> createOperation)
    {
        var operations = Enumerable.Range(0, threads).Select(createOperation).ToArray();
        var samples = Enumerable.Range(0, threads).Select(static _ => new LatencySamples()).ToArray();
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            var operation = operations[i];
            while (Stopwatch.GetTimestamp() is var before && before < deadline)
            {
                operation();
                samples[i].Add(Stopwatch.GetTimestamp() - before);
            }
        }) { IsBackground = true, Name = $"probe-{i}" }).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
        var seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var latencies = LatencySamples.Merge(samples);
        return new ProbeResult(name, latencies.Count, seconds, latencies.PercentileMs(0.50), latencies.PercentileMs(0.99));
    }
}
