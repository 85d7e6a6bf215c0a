namespace HsmRaft.Core;

/// <summary>
/// The entries after the latest snapshot, held in memory (bounded by the snapshot policy), plus the commit, apply and
/// persistence marks. Index 0 / term 0 is the empty log; <see cref="SnapshotIndex"/> is the start marker after compaction.
/// </summary>
internal sealed class RaftLog
{
    private readonly List<LogEntry> _entries = [];

    public RaftLog(long snapshotIndex, long snapshotTerm, IReadOnlyList<LogEntry> entries, long commit)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Index != snapshotIndex + 1 + i)
            {
                throw new InvalidDataException($"Recovered log is not contiguous: expected index {snapshotIndex + 1 + i}, found {entries[i].Index}.");
            }

            _entries.Add(entries[i]);
        }

        PersistedIndex = LastIndex;
        Committed = Math.Min(Math.Max(commit, snapshotIndex), LastIndex);
        Applied = snapshotIndex;
    }

    /// <summary>Index of the last entry covered by the snapshot (the start marker).</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>Term of the entry at <see cref="SnapshotIndex"/>.</summary>
    public long SnapshotTerm { get; private set; }

    public long FirstIndex => SnapshotIndex + 1;

    public long LastIndex => SnapshotIndex + _entries.Count;

    public long LastTerm => _entries.Count == 0 ? SnapshotTerm : _entries[^1].Term;

    /// <summary>Highest index known committed.</summary>
    public long Committed { get; private set; }

    /// <summary>Highest index the state machine has applied (reported by the runtime).</summary>
    public long Applied { get; set; }

    /// <summary>Highest index handed out in <see cref="Ready.CommittedEntries"/>.</summary>
    public long HandedToApply { get; set; }

    /// <summary>Highest index known durable on this node's disk.</summary>
    public long PersistedIndex { get; set; }

    /// <summary>First index not yet handed to the runtime for persistence.</summary>
    public long UnstableFrom { get; set; } = long.MaxValue;

    /// <summary>Term of the entry at <paramref name="index"/>, or -1 when it is compacted away or beyond the end.</summary>
    public long Term(long index)
    {
        if (index == SnapshotIndex)
        {
            return SnapshotTerm;
        }

        if (index < SnapshotIndex || index > LastIndex)
        {
            return -1;
        }

        return _entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    public bool MatchTerm(long index, long term) => Term(index) == term;

    public LogEntry Entry(long index) => _entries[(int)(index - SnapshotIndex - 1)];

    /// <summary>Raft §5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) => lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Appends entries at the end (leader).</summary>
    public void Append(LogEntry entry)
    {
        _entries.Add(entry);
        UnstableFrom = Math.Min(UnstableFrom, entry.Index);
    }

    /// <summary>
    /// Follower append after the log-matching check passed: skips entries already present with the same term, truncates at the
    /// first conflict (never below the commit index, which would violate safety) and appends the rest. Returns the index of the last
    /// entry of the message, or -1 if a committed entry would have been overwritten.
    /// </summary>
    public long AppendFromLeader(long prevIndex, IReadOnlyList<LogEntry> entries, out bool truncated)
    {
        truncated = false;
        var i = 0;
        for (; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Index <= SnapshotIndex)
            {
                continue;
            }

            var existing = Term(e.Index);
            if (existing == -1)
            {
                break;
            }

            if (existing != e.Term)
            {
                if (e.Index <= Committed)
                {
                    return -1;
                }

                TruncateFrom(e.Index);
                truncated = true;
                break;
            }
        }

        for (; i < entries.Count; i++)
        {
            if (entries[i].Index > SnapshotIndex)
            {
                Append(entries[i]);
            }
        }

        return prevIndex + entries.Count;
    }

    private void TruncateFrom(long index)
    {
        _entries.RemoveRange((int)(index - SnapshotIndex - 1), (int)(LastIndex - index + 1));
        PersistedIndex = Math.Min(PersistedIndex, index - 1);
        UnstableFrom = Math.Min(UnstableFrom, index);
    }

    /// <summary>Entries in [lo, hi) limited to <paramref name="maxBytes"/> (at least one) and <paramref name="maxCount"/>.</summary>
    public List<LogEntry> Slice(long lo, long hi, long maxBytes, int maxCount)
    {
        var result = new List<LogEntry>((int)Math.Min(hi - lo, maxCount));
        long bytes = 0;
        for (var i = lo; i < hi && result.Count < maxCount; i++)
        {
            var e = Entry(i);
            bytes += e.SizeInBytes;
            if (result.Count > 0 && bytes > maxBytes)
            {
                break;
            }

            result.Add(e);
        }

        return result;
    }

    /// <summary>Entries not yet handed out for persistence.</summary>
    public void TakeUnstable(List<LogEntry> into)
    {
        if (UnstableFrom > LastIndex)
        {
            UnstableFrom = long.MaxValue;
            return;
        }

        for (var i = Math.Max(UnstableFrom, FirstIndex); i <= LastIndex; i++)
        {
            into.Add(Entry(i));
        }

        UnstableFrom = long.MaxValue;
    }

    /// <summary>Committed, persisted entries not yet handed to the apply loop.</summary>
    public void TakeCommitted(List<LogEntry> into)
    {
        var upTo = Math.Min(Committed, PersistedIndex);
        for (var i = Math.Max(HandedToApply + 1, FirstIndex); i <= upTo; i++)
        {
            into.Add(Entry(i));
        }

        HandedToApply = Math.Max(HandedToApply, upTo);
    }

    public bool HasCommittedToHandOut => Math.Min(Committed, PersistedIndex) > HandedToApply;

    public void CommitTo(long index)
    {
        if (index > Committed)
        {
            Committed = Math.Min(index, LastIndex);
        }
    }

    /// <summary>
    /// Fast back-off (Raft §5.3): the largest index at or below <paramref name="index"/> whose term is at most <paramref name="term"/>,
    /// with that term. Skips a whole conflicting term per round trip.
    /// </summary>
    public (long Index, long Term) FindConflictByTerm(long index, long term)
    {
        index = Math.Min(index, LastIndex);
        while (index > SnapshotIndex)
        {
            var t = Term(index);
            if (t <= term)
            {
                return (index, t);
            }

            index--;
        }

        return (index, Term(index));
    }

    /// <summary>Drops entries up to <paramref name="index"/> (covered by a snapshot), keeping the rest.</summary>
    public void CompactTo(long index, long term)
    {
        if (index <= SnapshotIndex)
        {
            return;
        }

        var drop = (int)Math.Min(index - SnapshotIndex, _entries.Count);
        _entries.RemoveRange(0, drop);
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Replaces the whole log with a snapshot's start marker (a follower installed a snapshot past its log).</summary>
    public void ResetToSnapshot(long index, long term)
    {
        if (index <= LastIndex && Term(index) == term)
        {
            // The snapshot is a prefix of our log: keep what follows it.
            CompactTo(index, term);
        }
        else
        {
            _entries.Clear();
            SnapshotIndex = index;
            SnapshotTerm = term;
            UnstableFrom = long.MaxValue;
        }

        Committed = Math.Max(Committed, index);
        Applied = Math.Max(Applied, index);
        HandedToApply = Math.Max(HandedToApply, index);
        PersistedIndex = Math.Max(PersistedIndex, index);
    }

    /// <summary>The latest configuration entry at or below <paramref name="maxIndex"/>, if one is still in the log.</summary>
    public LogEntry? LastConfigurationEntry(long maxIndex)
    {
        for (var i = Math.Min(maxIndex, LastIndex); i > SnapshotIndex; i--)
        {
            var e = Entry(i);
            if (e.Kind == LogEntryKind.Configuration)
            {
                return e;
            }
        }

        return null;
    }
}
