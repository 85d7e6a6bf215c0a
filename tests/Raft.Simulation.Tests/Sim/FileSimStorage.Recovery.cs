using HsmRaft.Core;
using HsmRaft.Storage;
using HsmRaft.Testing;

namespace HsmRaft.Simulation.Sim;

/// <summary>Crashes and recovery of the file backend, and the check of what the stores recover against what was acknowledged.</summary>
internal sealed partial class FileSimStorage
{
    /// <summary>What may have partly reached the disk when the node last crashed: the batch being written, a received snapshot
    /// whose commit had started, and a snapshot the node took whose commit had started.</summary>
    private sealed record InFlight(Ready? Batch, (SnapshotMetadata Meta, byte[] Data)? Install, (SnapshotMetadata Meta, byte[] Data)? Taken);

    private InFlight? _inFlight;

    /// <summary>
    /// Performs the batch being written (and, half of the time, the commit of a snapshot being saved) on a disk that halts at
    /// a random mutation within that work, as a power loss would; then the disk loses its unsynced state with a random
    /// <see cref="CrashMode"/>. The stores are abandoned, not disposed: a dead process closes nothing.
    /// </summary>
    public string Crash(Ready? inflight, bool keepNothing, Random random)
    {
        var batch = keepNothing ? null : inflight;
        var taken = !keepNothing && _background is not null && random.Next(2) == 0 ? _background : null;
        var estimate = (batch is null ? 0 : EstimateMutations(batch)) + (taken is null ? 0 : 6);
        var allowed = random.Next((int)estimate + 1);
        var start = Disk.MutationCount;
        Disk.CrashAtMutation = start + allowed;
        (SnapshotMetadata, byte[])? install = null;
        var outcome = "complete";
        try
        {
            if (batch is not null)
            {
                WriteStable(batch);
                foreach (var r in batch.SnapshotReceives)
                {
                    if (r.Kind == SnapshotReceiveKind.Install && _receiving is { } sink)
                    {
                        install = (r.Metadata, sink.Bytes.ToArray());
                    }

                    WriteReceive(r);
                }

                WriteLog(batch);
            }

            if (taken is { } t)
            {
                Commit(t.Sink, t.Image);
            }
        }
        catch (Exception) when (Disk.IsHalted)
        {
            outcome = "torn";
        }

        var written = Disk.MutationCount - start;
        var mode = (CrashMode)random.Next(3);
        Disk.Crash(mode);
        _storage = null;
        _receiving = null;
        _background = null;
        _inFlight = new InFlight(batch, install, taken is { } tk ? (tk.Meta, tk.Image) : null);
        var what = batch is null ? inflight is null ? "no batch in flight" : "the batch being written is lost" : "a batch in flight";
        return $"{what}{(taken is null ? "" : " and a snapshot commit")}; the disk stopped after {written} of ~{estimate} writes ({outcome}), power loss {mode}";
    }

    /// <summary>Roughly how many mutating disk calls writing <paramref name="batch"/> makes, so a crash point drawn up to it
    /// usually falls inside the batch (and sometimes just after it, which is a crash before the node heard it was durable).</summary>
    private long EstimateMutations(Ready batch)
    {
        long n = batch.HardState is not null || batch.Configuration is not null ? 5 : 0; // temp file, write, sync, rename, directory sync
        foreach (var r in batch.SnapshotReceives)
        {
            n += r.Kind switch { SnapshotReceiveKind.Begin => 3, SnapshotReceiveKind.Install => 6, _ => 1 };
        }

        if (batch.CompactLogThrough is not null)
        {
            n += 8; // the start marker (5), segment deletions, directory sync
        }

        if (batch.Entries.Count > 0)
        {
            var bytes = batch.Entries.Sum(e => (long)e.Data.Length + 32);
            n += 4 + (5 * (bytes / _options.SegmentSize)); // writes, sync, a new segment's creation and directory sync per roll-over
        }

        return n;
    }

    /// <summary>
    /// Opens the stores as <c>RaftNode.RecoverAsync</c> does (snapshots, hard state, log; the snapshot read back whole, so its
    /// checksum is verified) and checks the result against what was acknowledged. A store that refuses to open (e.g.
    /// <see cref="StorageCorruptedException"/>) releases the directory and the exception propagates: the node stays down.
    /// </summary>
    public RaftCoreInitialState Recover()
    {
        if (_storage is { } open)
        {
            Sync(open.DisposeAsync()); // A clean shutdown (after the founding write or a maintenance compaction).
            _storage = null;
        }

        if (_inFlight is not null && _random.Next(3) == 0)
        {
            CrashDuringRecovery();
        }

        var (snapshot, persistent, log) = Open();
        byte[] data = [];
        if (snapshot is not null)
        {
            using var stream = Sync(Stores.Snapshots.OpenReadAsync())!;
            data = new byte[stream.Length];
            stream.ReadExactly(data);
        }

        _saved = persistent ?? new PersistentState(HardState.Empty, ClusterConfiguration.Empty);
        CheckRecovered(_saved, log, snapshot, data);
        _shadow.Restore(_saved, log, snapshot, data);
        _inFlight = null;
        return new RaftCoreInitialState(_saved.HardState, log, snapshot, _saved.Configuration);
    }

    /// <summary>
    /// Power fails again while the stores recover (cutting a torn tail, removing leftovers and covered segments, all within
    /// the first few writes), or right after: recovery must be repeatable from whatever that leaves, with the same outcome
    /// allowed (the acknowledged state plus a prefix of what was in flight at the first crash).
    /// </summary>
    private void CrashDuringRecovery()
    {
        Disk.CrashAtMutation = Disk.MutationCount + _random.Next(4);
        try
        {
            Open();
        }
        catch (Exception) when (Disk.IsHalted)
        {
        }

        _storage = null;
        Disk.Crash((CrashMode)_random.Next(3));
        CrashesDuringRecovery++;
    }

    private (SnapshotMetadata? Snapshot, PersistentState? State, LogRecovery Log) Open()
    {
        _storage = FileStorage.Open(_options, Events);
        try
        {
            var snapshot = Sync(_storage.Snapshots.OpenAsync());
            var persistent = Sync(_storage.Stable.LoadAsync());
            var log = Sync(_storage.Log.OpenAsync());
            return (snapshot, persistent, log);
        }
        catch
        {
            Sync(_storage.DisposeAsync());
            _storage = null;
            throw;
        }
    }

    private void CheckRecovered(PersistentState state, LogRecovery log, SnapshotMetadata? snapshot, byte[] data)
    {
        var batch = _inFlight?.Batch;
        var acknowledged = new PersistentState(_shadow.HardState, _shadow.Configuration);
        var written = batch is { } b && (b.HardState is not null || b.Configuration is not null)
            ? new PersistentState(b.HardState ?? acknowledged.HardState, b.Configuration ?? acknowledged.Configuration)
            : acknowledged;
        var unacknowledged = state != acknowledged;
        if (state != acknowledged && state != written)
        {
            Fail("hard state recovered as acknowledged", $"recovered {Describe(state)}; acknowledged {Describe(acknowledged)}" +
                                                         (written == acknowledged ? "" : $", being written {Describe(written)}"));
        }

        var newSnapshot = CheckSnapshot(snapshot, data);
        unacknowledged |= newSnapshot || CheckLog(log, batch);
        RecoveredSnapshotsBeingCommitted += newSnapshot ? 1 : 0;
        RecoveredUnacknowledgedWrites += unacknowledged ? 1 : 0;
    }

    /// <summary>Returns true when the recovered snapshot is one whose commit was in progress, not the acknowledged one.</summary>
    private bool CheckSnapshot(SnapshotMetadata? snapshot, byte[] data)
    {
        (SnapshotMetadata Meta, byte[] Data)?[] candidates =
            [_shadow.Snapshot is { } s ? (s, _shadow.SnapshotData) : null, _inFlight?.Install, _inFlight?.Taken];
        var match = snapshot is null
            ? _shadow.Snapshot is null
            : candidates.Any(c => c is { } k && k.Meta.LastIncludedIndex == snapshot.LastIncludedIndex &&
                                  k.Meta.LastIncludedTerm == snapshot.LastIncludedTerm && k.Meta.Configuration.Equals(snapshot.Configuration) &&
                                  snapshot.Size == data.Length && k.Data.AsSpan().SequenceEqual(data));
        if (!match)
        {
            Fail("snapshot recovered as acknowledged",
                $"recovered {(snapshot is null ? "no snapshot" : $"snapshot {snapshot.LastIncludedIndex}@{snapshot.LastIncludedTerm} ({data.Length} bytes)")}; " +
                $"acknowledged {(_shadow.Snapshot is { } a ? $"{a.LastIncludedIndex}@{a.LastIncludedTerm}" : "none")}, being committed: " +
                string.Join(", ", candidates.Skip(1).OfType<(SnapshotMetadata Meta, byte[] Data)>().Select(c => $"{c.Meta.LastIncludedIndex}@{c.Meta.LastIncludedTerm}")));
        }

        return snapshot is not null && snapshot.LastIncludedIndex != _shadow.SnapshotIndex;
    }

    /// <summary>
    /// The recovered log must be the acknowledged one, except for what the batch in flight did: a compaction (to its point),
    /// and from the batch's first entry on, either a prefix of the old suffix (the truncation had not finished) or a prefix of
    /// the batch's entries — never a mix, never an entry from nowhere, never fewer entries than were acknowledged before it.
    /// </summary>
    /// <returns>True when the log holds entries of the batch in flight that were not acknowledged, or its compaction.</returns>
    private bool CheckLog(LogRecovery log, Ready? batch)
    {
        long ms = _shadow.LogStartIndex, ml = _shadow.LastIndex, fs = log.SnapshotIndex;
        var compaction = batch?.CompactLogThrough;
        var compacted = fs > ms;
        var startOk = compacted
            ? compaction is { } c && c.Index == fs && c.Term == log.SnapshotTerm
            : fs == ms && log.SnapshotTerm == _shadow.LogStartTerm;
        if (!startOk)
        {
            Fail("log start recovered as acknowledged", $"the log recovered starts after {fs}@{log.SnapshotTerm}; acknowledged after " +
                                                        $"{ms}@{_shadow.LogStartTerm}, compaction in flight: {compaction?.ToString() ?? "none"}");
        }

        // A compaction to a point the log does not hold (with that term) discards the whole log.
        var discarded = compacted && !(fs < ml && _shadow.Term(fs) == log.SnapshotTerm);
        var first = batch is { Entries.Count: > 0 } ? batch.Entries[0].Index : long.MaxValue;
        bool oldSuffix = true, newSuffix = true;
        foreach (var e in log.Entries)
        {
            var old = !discarded && e.Index > ms && e.Index <= ml ? _shadow.Log[(int)(e.Index - ms - 1)] : (LogEntry?)null;
            var isOld = old is { } o && Same(e, o);
            if (e.Index < first)
            {
                newSuffix = isOld;
            }
            else
            {
                var written = e.Index - first < batch!.Entries.Count ? batch.Entries[(int)(e.Index - first)] : (LogEntry?)null;
                oldSuffix &= isOld;
                newSuffix &= written is { } w && Same(e, w);
            }

            if (!(e.Index < first ? isOld : oldSuffix || newSuffix))
            {
                Fail("log recovered as acknowledged", $"recovered entry {e.Index}@{e.Term} is neither acknowledged nor part of a prefix " +
                                                      $"of the batch being written (acknowledged log ({ms}, {ml}], batch from {first})");
            }
        }

        var required = discarded ? fs : Math.Max(fs, Math.Min(ml, first - 1));
        if (fs + log.Entries.Count < required)
        {
            Fail("acknowledged entries survive", $"the log recovered ends at {fs + log.Entries.Count}; entries through {required} were acknowledged");
        }

        return compacted || !oldSuffix || fs + log.Entries.Count > ml;
    }

    private static bool Same(LogEntry a, LogEntry b) =>
        a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span);

    private static string Describe(PersistentState s) => $"{s.HardState} {s.Configuration}";

    private void Fail(string invariant, string details) =>
        _fail(invariant, $"node {_node} recovering from {Directory}: {details} (in flight at the crash: " +
                         $"{(_inFlight?.Batch is { } b ? $"entries {b.Entries.Count}, compaction {b.CompactLogThrough?.ToString() ?? "none"}, {b.SnapshotReceives.Count} snapshot receives" : "no batch")})");
}
