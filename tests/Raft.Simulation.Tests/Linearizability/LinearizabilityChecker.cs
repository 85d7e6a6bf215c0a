using System.Text;

namespace HsmRaft.Simulation.Linearizability;

/// <summary>The verdict of a linearizability check.</summary>
/// <param name="Ok">True when every key's history is linearizable.</param>
/// <param name="Explanation">For a failure: the key, the deepest partial linearization found, and the operations.</param>
internal sealed record CheckResult(bool Ok, string Explanation)
{
    public static CheckResult Linearizable { get; } = new(true, "linearizable");
}

/// <summary>
/// Decides whether a key-value history is linearizable: is there a total order of the operations, consistent with their
/// real-time order (an operation that returned before another was invoked comes first), in which every read returns the value
/// a sequential map would? The search is Wing &amp; Gong's, with Lowe's memoization as in Porcupine: walk the history's call
/// and return events in time order; at a call, try to linearize that operation now (if the model accepts it) and restart from
/// the first remaining event; at a return whose operation is not linearized yet, backtrack. A (set of linearized operations,
/// model state) pair seen before is never explored twice. A map's keys are independent, so each key is checked on its own
/// (P-compositionality), which keeps the search small.
/// </summary>
internal static class LinearizabilityChecker
{
    public static CheckResult Check(IReadOnlyList<HistoryOp> ops, long maxStepsPerKey = 20_000_000)
    {
        foreach (var group in ops.GroupBy(o => o.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var result = CheckKey(group.ToList(), maxStepsPerKey);
            if (!result.Ok)
            {
                return result;
            }
        }

        return CheckResult.Linearizable;
    }

    /// <summary>The sequential specification of one key: Put replaces the value, Append extends it, Get must read it.</summary>
    private static bool Step(string state, HistoryOp op, out string next)
    {
        switch (op.Kind)
        {
            case OpKind.Put:
                next = op.Value;
                return true;
            case OpKind.Append:
                next = state + op.Value;
                return true;
            default:
                next = state;
                return op.Output == state;
        }
    }

    private sealed class Event
    {
        public required HistoryOp Op { get; init; }

        public int Slot { get; init; }

        public bool IsCall { get; init; }

        public Event? Prev { get; set; }

        public Event? Next { get; set; }

        public Event? Return { get; set; }
    }

    private static CheckResult CheckKey(List<HistoryOp> ops, long maxSteps)
    {
        var head = BuildEventList(ops);
        var linearized = new ulong[(ops.Count + 63) / 64];
        var seen = new HashSet<CacheKey>();
        var stack = new Stack<(Event Call, string State)>();
        var state = "";
        var deepest = Array.Empty<ulong>();
        var deepestCount = -1;
        var entry = head.Next;
        long steps = 0;
        while (head.Next is not null)
        {
            if (++steps > maxSteps)
            {
                return new CheckResult(false, $"key '{ops[0].Key}': search gave up after {maxSteps} steps ({ops.Count} operations); " +
                                              "shorten the run or raise the budget");
            }

            if (entry!.IsCall)
            {
                if (Step(state, entry.Op, out var next))
                {
                    Set(linearized, entry.Slot, true);
                    if (seen.Add(new CacheKey((ulong[])linearized.Clone(), next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }

                    Set(linearized, entry.Slot, false);
                }

                entry = entry.Next;
                continue;
            }

            // A return event whose operation is not linearized yet: the current prefix cannot be extended.
            if (stack.Count > deepestCount)
            {
                deepestCount = stack.Count;
                deepest = (ulong[])linearized.Clone();
            }

            if (stack.Count == 0)
            {
                return new CheckResult(false, Explain(ops, deepest, deepestCount));
            }

            var (call, previous) = stack.Pop();
            state = previous;
            Set(linearized, call.Slot, false);
            Unlift(call);
            entry = call.Next;
        }

        return CheckResult.Linearizable;
    }

    private static Event BuildEventList(List<HistoryOp> ops)
    {
        var events = new List<(long Time, int Order, Event E)>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Event { Op = ops[i], Slot = i, IsCall = true };
            var ret = new Event { Op = ops[i], Slot = i, IsCall = false };
            call.Return = ret;
            events.Add((ops[i].Call, i, call));
            events.Add((ops[i].Return, i, ret));
        }

        // Times are unique except for the "never returned" ones, which go last in a fixed order.
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));
        var head = new Event { Op = ops[0], Slot = -1 };
        var prev = head;
        foreach (var (_, _, e) in events)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }

        return head;
    }

    private static void Lift(Event call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var ret = call.Return!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    private static void Unlift(Event call)
    {
        var ret = call.Return!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }

    private static void Set(ulong[] bits, int slot, bool value)
    {
        if (value)
        {
            bits[slot >> 6] |= 1UL << (slot & 63);
        }
        else
        {
            bits[slot >> 6] &= ~(1UL << (slot & 63));
        }
    }

    private static bool IsSet(ulong[] bits, int slot) => bits.Length > 0 && (bits[slot >> 6] & (1UL << (slot & 63))) != 0;

    private static string Explain(List<HistoryOp> ops, ulong[] deepest, int deepestCount)
    {
        var sb = new StringBuilder();
        sb.Append($"key '{ops[0].Key}' is not linearizable: the longest linearizable prefix holds {Math.Max(deepestCount, 0)} of {ops.Count} ")
          .Append("operations (marked *); the others cannot be placed. Operations by invocation ([call,return] on the logical clock):\n");
        var shown = 0;
        for (var i = 0; i < ops.Count && shown < 120; i++, shown++)
        {
            sb.Append(IsSet(deepest, i) ? "    * " : "      ").Append(ops[i]).Append('\n');
        }

        return sb.ToString();
    }

    private readonly struct CacheKey(ulong[] bits, string state) : IEquatable<CacheKey>
    {
        private readonly int _hash = ComputeHash(bits, state);

        public bool Equals(CacheKey other) => _hash == other._hash && state == other.State && bits.AsSpan().SequenceEqual(other.Bits);

        public override bool Equals(object? obj) => obj is CacheKey k && Equals(k);

        public override int GetHashCode() => _hash;

        private ulong[] Bits => bits;

        private string State => state;

        private static int ComputeHash(ulong[] bits, string state)
        {
            var h = new HashCode();
            foreach (var b in bits)
            {
                h.Add(b);
            }

            h.Add(state, StringComparer.Ordinal);
            return h.ToHashCode();
        }
    }
}
