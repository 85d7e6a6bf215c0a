namespace HsmRaft.Transport;

/// <summary>
/// Exponential reconnect backoff with jitter: after the n-th consecutive failure the delay is drawn uniformly from
/// [d/2, d] where d = min × 2^(n-1), capped at max. The jitter keeps nodes that lost a peer at the same moment from
/// redialling it in lockstep; the lower half-bound keeps the delay from collapsing to zero.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;

    /// <summary>Creates a backoff between <paramref name="min"/> and <paramref name="max"/>.</summary>
    /// <param name="min">The first delay's upper bound.</param>
    /// <param name="max">The largest delay.</param>
    /// <param name="random">Source of jitter; pass a seeded instance for reproducible delays.</param>
    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentNullException.ThrowIfNull(random);
        _min = min;
        _max = max;
        _random = random;
    }

    /// <summary>The delay before the next attempt after <paramref name="consecutiveFailures"/> failures in a row (at least 1).</summary>
    public TimeSpan Next(int consecutiveFailures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveFailures, 1);
        var exponent = Math.Min(consecutiveFailures - 1, 30);
        var ceiling = Math.Min(_min.Ticks * (double)(1L << exponent), _max.Ticks);
        double fraction;
        lock (_random)
        {
            fraction = _random.NextDouble();
        }

        return TimeSpan.FromTicks((long)(ceiling / 2 + fraction * ceiling / 2));
    }
}
