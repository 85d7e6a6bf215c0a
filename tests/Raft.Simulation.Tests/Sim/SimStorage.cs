using HsmRaft.Core;
using HsmRaft.Storage;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// One node's disk: what survives a crash. Writes reach it only when the node finishes persisting a Ready batch; a crash while
/// a batch is being written keeps a random part of it (<see cref="PersistPartially"/>), modelling a write-ahead log whose torn
/// tail is discarded on recovery (a prefix of the batch's entries survives) and a stable store written separately.
/// It also checks that what was made durable never goes backwards: term, vote within a term, commit index, snapshot index.
/// <see cref="FileSimStorage"/> keeps one as the shadow of what its file stores acknowledged.
/// </summary>
internal sealed class SimStorage(NodeId node, Action<string, string> fail) : ISimStorage
{
    private MemoryStream? _receiving;
    private (SnapshotMetadata Meta, byte[] Image)? _background;

    public HardState HardState { get; private set; }

    public ClusterConfiguration Configuration { get; private set; } = ClusterConfiguration.Empty;

    /// <summary>Index and term of the entry just before the first stored entry (the compaction point).</summary>
    public long LogStartIndex { get; private set; }

    public long LogStartTerm { get; private set; }

    public List<LogEntry> Log { get; } = [];

    IReadOnlyList<LogEntry> ISimStorage.Log => Log;

    public SnapshotMetadata? Snapshot { get; private set; }

    public RaftCoreInitialState Recover() =>
        new(HardState, new LogRecovery(LogStartIndex, LogStartTerm, [.. Log]), Snapshot, Configuration);

    public byte[] SnapshotData { get; private set; } = [];

    public long LastIndex => LogStartIndex + Log.Count;

    public long SnapshotIndex => Snapshot?.LastIncludedIndex ?? 0;

    public void Initialize(RaftCoreInitialState state)
    {
        HardState = state.HardState;
        Configuration = state.Configuration;
        LogStartIndex = state.Log.SnapshotIndex;
        LogStartTerm = state.Log.SnapshotTerm;
        Log.AddRange(state.Log.Entries);
    }

    /// <summary>Makes the batch's stable state durable (step 2 of <see cref="Ready"/>, before snapshot receives and the log).</summary>
    public void PersistStable(Ready ready) => WriteStable(ready.HardState, ready.Configuration);

    /// <summary>Makes the batch's log changes durable: compaction first, then the entries (as <see cref="Ready"/> documents).</summary>
    public void PersistLog(Ready ready)
    {
        if (ready.CompactLogThrough is { } c)
        {
            Compact(c.Index, c.Term);
        }

        WriteEntries(ready.Entries, ready.Entries.Count);
    }

    /// <summary>Buffers a received snapshot (the disk's temporary file) and commits it on <see cref="SnapshotReceiveKind.Install"/>.</summary>
    public void ReceiveSnapshot(SnapshotReceive receive)
    {
        switch (receive.Kind)
        {
            case SnapshotReceiveKind.Begin:
                _receiving = new MemoryStream();
                _receiving.Write(receive.Data.Span);
                break;
            case SnapshotReceiveKind.Write:
                _receiving?.Write(receive.Data.Span);
                break;
            case SnapshotReceiveKind.Abort:
                _receiving = null;
                break;
            case SnapshotReceiveKind.Install when _receiving is not null:
                SaveSnapshot(receive.Metadata, _receiving.ToArray());
                _receiving = null;
                break;
        }
    }

    public void BeginSnapshot(SnapshotMetadata meta, byte[] image) => _background = (meta, image);

    public bool FinishSnapshot()
    {
        var (meta, image) = _background ?? throw new InvalidOperationException("no snapshot is being written");
        _background = null;
        if (meta.LastIncludedIndex <= SnapshotIndex)
        {
            return false;
        }

        SaveSnapshot(meta, image);
        return true;
    }

    public byte[] ReadSnapshot(long offset, int length) => SnapshotData.AsSpan((int)offset, length).ToArray();

    public string Crash(Ready? inflight, bool keepNothing, Random random)
    {
        _receiving = null;
        _background = null;
        return inflight is null ? "nothing in flight" : keepNothing ? "the batch being written is lost" : PersistPartially(inflight, random);
    }

    /// <summary>Replaces the whole durable state by what a real store recovered (checked against this one by the caller); the
    /// hard state and snapshot still may not go backwards.</summary>
    public void Restore(PersistentState state, LogRecovery log, SnapshotMetadata? snapshot, byte[] snapshotData)
    {
        WriteStable(state.HardState, state.Configuration);
        if (snapshot is not null)
        {
            SaveSnapshot(snapshot, snapshotData);
        }
        else if (Snapshot is not null)
        {
            fail("durable snapshot lost", $"node {node}: had a snapshot through {SnapshotIndex}, the store recovered none");
        }

        LogStartIndex = log.SnapshotIndex;
        LogStartTerm = log.SnapshotTerm;
        Log.Clear();
        Log.AddRange(log.Entries);
    }

    /// <summary>The node crashed while writing <paramref name="ready"/>: the stable store write and the log write each may or may
    /// not have reached the disk, and the log keeps only a prefix of the batch's entries.</summary>
    private string PersistPartially(Ready ready, Random rng)
    {
        var stable = rng.Next(2) == 0;
        if (stable)
        {
            WriteStable(ready.HardState, ready.Configuration);
        }

        var compacted = ready.CompactLogThrough is { } c && rng.Next(2) == 0;
        if (compacted)
        {
            Compact(ready.CompactLogThrough!.Value.Index, ready.CompactLogThrough.Value.Term);
        }

        // Entries follow the compaction in the log file, so they can only survive if it did.
        var kept = ready.Entries.Count == 0 || (ready.CompactLogThrough is not null && !compacted) ? 0 : rng.Next(ready.Entries.Count + 1);
        WriteEntries(ready.Entries, kept);
        return $"kept stable={stable && (ready.HardState is not null || ready.Configuration is not null)} entries={kept}/{ready.Entries.Count} compaction={compacted}";
    }

    private void WriteStable(HardState? hardState, ClusterConfiguration? configuration)
    {
        if (hardState is { } hs)
        {
            var old = HardState;
            if (hs.Term < old.Term)
            {
                fail("durable term went backwards", $"node {node}: persisted term {old.Term}, now asked to persist term {hs.Term}");
            }

            if (hs.Term == old.Term && !old.VotedFor.IsNone && hs.VotedFor != old.VotedFor)
            {
                fail("vote changed within a term", $"node {node}: persisted vote for {old.VotedFor} in term {hs.Term}, now {hs.VotedFor}");
            }

            if (hs.Commit < old.Commit)
            {
                fail("durable commit index went backwards", $"node {node}: persisted commit {old.Commit}, now {hs.Commit}");
            }

            HardState = hs;
        }

        if (configuration is not null)
        {
            Configuration = configuration;
        }
    }

    private void WriteEntries(IReadOnlyList<LogEntry> entries, int count)
    {
        if (count == 0)
        {
            return;
        }

        var first = entries[0].Index;
        if (first <= LogStartIndex || first > LastIndex + 1)
        {
            fail("log write out of place", $"node {node}: asked to write entries from index {first}, but the stored log holds " +
                                           $"({LogStartIndex}, {LastIndex}]");
        }

        // Conflict truncation: the stored suffix from the first written index is replaced.
        Log.RemoveRange((int)(first - LogStartIndex - 1), (int)(LastIndex - first + 1));
        for (var i = 0; i < count; i++)
        {
            if (entries[i].Index != first + i)
            {
                fail("log write not contiguous", $"node {node}: entry {i} of the batch has index {entries[i].Index}, expected {first + i}");
            }

            Log.Add(entries[i]);
        }
    }

    /// <summary>
    /// Drops the entries a durable snapshot covers, as <see cref="IRaftLogStore.CompactAsync"/> specifies: when the log does not
    /// hold (index, term) — the index is past its end, or a follower installed a snapshot that conflicts with it — the whole log
    /// is discarded and the next append starts after the snapshot.
    /// </summary>
    private void Compact(long index, long term)
    {
        if (index <= LogStartIndex)
        {
            return;
        }

        if (index > SnapshotIndex)
        {
            fail("compaction beyond the snapshot", $"node {node}: asked to compact through {index} but the durable snapshot covers {SnapshotIndex}");
        }

        if (index < LastIndex && Term(index) == term)
        {
            Log.RemoveRange(0, (int)(index - LogStartIndex));
        }
        else
        {
            Log.Clear();
        }

        LogStartIndex = index;
        LogStartTerm = term;
    }

    public long Term(long index) =>
        index == LogStartIndex ? LogStartTerm : index < LogStartIndex || index > LastIndex ? -1 : Log[(int)(index - LogStartIndex - 1)].Term;

    /// <summary>Commits a snapshot (taken here, or received from the leader) as the latest; the log is compacted separately, when the
    /// core asks through <see cref="Ready.CompactLogThrough"/>.</summary>
    public void SaveSnapshot(SnapshotMetadata meta, byte[] data)
    {
        CheckSnapshotForward(meta);
        Snapshot = meta;
        SnapshotData = data;
    }

    private void CheckSnapshotForward(SnapshotMetadata meta)
    {
        if (meta.LastIncludedIndex < SnapshotIndex)
        {
            fail("durable snapshot went backwards", $"node {node}: has a snapshot through {SnapshotIndex}, asked to store one through {meta.LastIncludedIndex}");
        }
    }

    /// <summary>Drops every stored entry the durable snapshot covers (the trailing window too), as an aggressive store might.</summary>
    public void CompactToSnapshot()
    {
        if (Snapshot is { } snapshot)
        {
            Compact(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm);
        }
    }
}
