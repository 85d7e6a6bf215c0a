using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>
/// A client workload: <c>writers</c> concurrent loops, each writing fresh keys (<c>{prefix}{writer}-{sequence}</c>) with unique
/// values through a <see cref="KvClient"/>, which retries each write until it is acknowledged. Every acknowledged write is
/// recorded, so a verifier can later check that no node lost one; a write cancelled by <see cref="StopAsync"/> mid-flight has an
/// unknown outcome and is not recorded.
/// </summary>
public sealed class Workload : IAsyncDisposable
{
    private readonly KvClient _client;
    private readonly int _writers;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private Exception? _failure;

    /// <summary>Creates a workload; nothing happens until <see cref="Start"/>.</summary>
    public Workload(KvClient client, int writers, string prefix = "w")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        _client = client;
        _writers = writers;
        _prefix = prefix;
    }

    /// <summary>Every acknowledged write: key → value.</summary>
    public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>Client-observed latency of each acknowledged write (retries included).</summary>
    public LatencyRecorder Latencies { get; } = new();

    /// <summary>A write that failed for a reason other than an unavailable node (a bug, or a bad answer), if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Completes once at least <paramref name="count"/> writes have been acknowledged in total.</summary>
    public Task WaitForAcknowledgedAsync(int count, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (Acknowledged.Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((count, done));
        }

        return done.Task.WaitAsync(ct);
    }

    /// <summary>Starts the writers.</summary>
    public void Start()
    {
        for (var w = 0; w < _writers; w++)
        {
            var writer = w;
            _loops.Add(Task.Run(() => WriteLoopAsync(writer)));
        }
    }

    /// <summary>Stops the writers (in-flight writes are abandoned) and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WriteLoopAsync(int writer)
    {
        var ct = _stop.Token;
        for (var seq = 0; !ct.IsCancellationRequested; seq++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{_prefix}{writer:D2}-{seq:D6}");
            var value = string.Create(CultureInfo.InvariantCulture, $"{writer}.{seq}.{Random.Shared.Next():x8}");
            var started = Stopwatch.GetTimestamp();
            try
            {
                await _client.PutAsync(key, value, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                // Not an availability problem (those are retried): record it and stop this writer.
                Interlocked.CompareExchange(ref _failure, e, null);
                return;
            }

            Acknowledged[key] = value;
            Latencies.Record(started, Stopwatch.GetTimestamp());
            ReleaseWaiters();
        }
    }

    private void ReleaseWaiters()
    {
        lock (_waiters)
        {
            var acknowledged = Acknowledged.Count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= acknowledged)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>Latencies of completed operations with their completion times; summaries over any time window.</summary>
public sealed class LatencyRecorder
{
    private readonly List<(long End, double Milliseconds)> _samples = [];

    /// <summary>Records one operation from its start and end timestamps (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Record(long start, long end)
    {
        var ms = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        lock (_samples)
        {
            _samples.Add((end, ms));
        }
    }

    /// <summary>Summarises operations that completed between two timestamps (default: all).</summary>
    public LatencySummary Summarize(long from = 0, long to = long.MaxValue)
    {
        double[] window;
        lock (_samples)
        {
            window = _samples.Where(s => s.End >= from && s.End <= to).Select(s => s.Milliseconds).ToArray();
        }

        Array.Sort(window);
        var seconds = to == long.MaxValue || from == 0 ? 0 : Stopwatch.GetElapsedTime(from, to).TotalSeconds;
        double P(double q) => window.Length == 0 ? 0 : window[Math.Min(window.Length - 1, (int)Math.Ceiling(q * window.Length) - 1)];
        return new LatencySummary(window.Length, seconds > 0 ? window.Length / seconds : 0, P(0.50), P(0.90), P(0.99), window.Length == 0 ? 0 : window[^1]);
    }

    /// <summary>The longest time without a completed operation since <paramref name="from"/> (a timestamp), up to now.</summary>
    public TimeSpan LongestGap(long from)
    {
        long[] ends;
        lock (_samples)
        {
            ends = _samples.Where(s => s.End >= from).Select(s => s.End).Order().ToArray();
        }

        var longest = 0L;
        var previous = from;
        foreach (var end in ends.Append(Stopwatch.GetTimestamp()))
        {
            longest = Math.Max(longest, end - previous);
            previous = end;
        }

        return Stopwatch.GetElapsedTime(0, longest);
    }

    /// <summary>Operations completed in the last <paramref name="window"/>, per second.</summary>
    public double RecentRate(TimeSpan window)
    {
        var now = Stopwatch.GetTimestamp();
        var from = now - (long)(window.TotalSeconds * Stopwatch.Frequency);
        lock (_samples)
        {
            var n = 0;
            for (var i = _samples.Count - 1; i >= 0 && _samples[i].End >= from; i--)
            {
                n++;
            }

            return n / window.TotalSeconds;
        }
    }
}

/// <summary>Count, throughput and latency percentiles (milliseconds) of a window.</summary>
public sealed record LatencySummary(int Count, double PerSecond, double P50, double P90, double P99, double Max)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Count:N0} writes, {PerSecond:N0}/s, latency p50 {P50:0.0} ms, p90 {P90:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms");
}
