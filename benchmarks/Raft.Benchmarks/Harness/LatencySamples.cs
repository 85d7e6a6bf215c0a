using System.Diagnostics;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>
/// Latencies recorded by one writer (single-threaded), in <see cref="Stopwatch"/> ticks. Every sample
/// is kept and sorted at the end, so percentiles are exact rather than bucketed.
/// </summary>
public sealed class LatencySamples
{
    private long[] ticks = new long[4096];

    /// <summary>Number of samples recorded.</summary>
    public int Count { get; private set; }

    /// <summary>Records one latency in <see cref="Stopwatch"/> ticks.</summary>
    public void Add(long elapsedTicks)
    {
        if (Count == ticks.Length) Array.Resize(ref ticks, ticks.Length * 2);
        ticks[Count++] = elapsedTicks;
    }

    /// <summary>Merges the samples of several writers into one sorted distribution.</summary>
    public static LatencyDistribution Merge(IEnumerable<LatencySamples> parts)
    {
        var list = parts.ToList();
        var all = new long[list.Sum(static p => p.Count)];
        var offset = 0;
        foreach (var part in list)
        {
            Array.Copy(part.ticks, 0, all, offset, part.Count);
            offset += part.Count;
        }
        Array.Sort(all);
        return new LatencyDistribution(all);
    }
}

/// <summary>A sorted set of latencies.</summary>
public sealed class LatencyDistribution(long[] sortedTicks)
{
    /// <summary>Number of samples.</summary>
    public int Count => sortedTicks.Length;

    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="fraction"/> ≤ 1), in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double fraction)
    {
        if (sortedTicks.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sortedTicks.Length);
        var index = Math.Clamp(rank - 1, 0, sortedTicks.Length - 1);
        return sortedTicks[index] * 1000.0 / Stopwatch.Frequency;
    }
}
