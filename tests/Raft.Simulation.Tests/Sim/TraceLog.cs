using System.Globalization;
using System.Text;
using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// The run's trace: a ring buffer of the latest events (formatted only when a failure prints them) and a running 64-bit hash
/// of every event, which two runs of the same seed must agree on bit for bit.
/// </summary>
internal sealed class TraceLog(int capacity = 400)
{
    private readonly (long Time, NodeId Node, string Kind, object? Detail)[] _ring = new (long, NodeId, string, object?)[capacity];
    private long _count;

    public ulong Hash { get; private set; } = 14695981039346656037UL;

    public long Count => _count;

    public void Add(long time, NodeId node, string kind, object? detail)
    {
        _ring[_count % _ring.Length] = (time, node, kind, detail);
        _count++;
        Mix((ulong)time);
        Mix(node.Value);
        Mix(StableHash.Of(kind));
        Mix(detail switch
        {
            null => 0,
            RaftMessage m => Fingerprint(m),
            string s => StableHash.Of(s),
            _ => StableHash.Of(detail.ToString() ?? ""),
        });
    }

    /// <summary>Mixes extra state (e.g. final logs) into the hash.</summary>
    public void Mix(ulong value)
    {
        var h = Hash;
        for (var i = 0; i < 8; i++)
        {
            h ^= (value >> (8 * i)) & 0xFF;
            h *= 1099511628211UL;
        }

        Hash = h;
    }

    private static ulong Fingerprint(RaftMessage m)
    {
        var h = ((ulong)m.Type << 56) ^ (m.From.Value << 48) ^ (m.To.Value << 40) ^ (ulong)m.Term;
        return m switch
        {
            AppendEntries a => StableHash.Mix(h, (ulong)a.PrevLogIndex, (ulong)a.PrevLogTerm, (ulong)a.Entries.Count, (ulong)a.LeaderCommit),
            AppendEntriesResponse r => StableHash.Mix(h, r.Success ? 1UL : 0, (ulong)r.Index, (ulong)r.RejectHint, (ulong)r.ConflictTerm),
            Heartbeat b => StableHash.Mix(h, (ulong)b.Commit, (ulong)b.Context, 0, 0),
            HeartbeatResponse b => StableHash.Mix(h, (ulong)b.Context, 0, 0, 0),
            RequestVote v => StableHash.Mix(h, v.PreVote ? 1UL : 0, (ulong)v.LastLogIndex, (ulong)v.LastLogTerm, v.LeadershipTransfer ? 1UL : 0),
            RequestVoteResponse v => StableHash.Mix(h, v.PreVote ? 1UL : 0, v.Granted ? 1UL : 0, 0, 0),
            InstallSnapshot s => StableHash.Mix(h, (ulong)s.Metadata.LastIncludedIndex, (ulong)s.Offset, (ulong)s.Data.Length, s.Done ? 1UL : 0),
            InstallSnapshotResponse s => StableHash.Mix(h, (ulong)s.SnapshotIndex, (ulong)s.NextOffset, s.Done ? 1UL : 0, s.Rejected ? 1UL : 0),
            _ => h,
        };
    }

    /// <summary>The latest <paramref name="lines"/> events, oldest first.</summary>
    public string Tail(int lines)
    {
        var sb = new StringBuilder();
        var n = (int)Math.Min(Math.Min(lines, _ring.Length), _count);
        for (var i = _count - n; i < _count; i++)
        {
            var (time, node, kind, detail) = _ring[i % _ring.Length];
            sb.Append(CultureInfo.InvariantCulture, $"  [{time / (double)SimTime.TickMicros,10:0.000}] n{node,-2} {kind,-10} {detail}").Append('\n');
        }

        return sb.ToString();
    }
}

/// <summary>Hashes that do not change between processes (string.GetHashCode is randomized per process).</summary>
internal static class StableHash
{
    public static ulong Of(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        return h;
    }

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }

        return h;
    }

    public static ulong Mix(ulong h, ulong a, ulong b, ulong c, ulong d)
    {
        h = Step(h, a);
        h = Step(h, b);
        h = Step(h, c);
        return Step(h, d);

        static ulong Step(ulong h, ulong v)
        {
            // splitmix64 finalizer over the combination: cheap and well distributed.
            var z = h ^ (v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2));
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
