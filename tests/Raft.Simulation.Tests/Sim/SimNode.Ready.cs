using System.Diagnostics;
using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>The runtime half of a simulated node: performing each <see cref="Ready"/> batch in the order its documentation requires.</summary>
internal sealed partial class SimNode
{
    private Ready? _inflight;
    private bool _crashDuringNextPersist;
    private bool _keepNothingOfNextPersist;
    private Func<Ready, bool>? _crashWhen;
    private (SnapshotMetadata Meta, MemoryStream Data)? _incoming;
    private bool _capturing;

    /// <summary>
    /// Takes batches from the core while it has work and no batch is being written. Messages go out at once; when the batch
    /// must be persisted and the disk is slow, the rest waits for the write to finish, and the node keeps stepping meanwhile
    /// (the core supports inputs between GetReady and Advance).
    /// </summary>
    private void Pump()
    {
        while (Core is { } core && _inflight is null && core.HasReady)
        {
            var ready = core.GetReady();
            _cluster.Checker.OnReady(this, ready);
            if (ready.StatusChanged)
            {
                var s = core.Status;
                _cluster.Trace("status", Id, $"{s.Role} term={s.Term} leader={s.LeaderId}");
            }

            foreach (var m in ready.Messages)
            {
                Send(m);
            }

            if (ready.MustPersist && _crashDuringNextPersist && (_crashWhen?.Invoke(ready) ?? true))
            {
                _inflight = ready;
                Crash("crashed while persisting a batch");
                return;
            }

            var latency = _cluster.DiskLatency();
            if (ready.MustPersist && latency > 0)
            {
                _inflight = ready;
                var incarnation = Incarnation;
                _cluster.Loop.After(latency, () => FinishWritten(ready, incarnation));
                return;
            }

            Finish(ready);
        }
    }

    /// <summary>The disk finished writing <paramref name="ready"/>; the process picks that up when it is not paused.</summary>
    private void FinishWritten(Ready ready, int incarnation)
    {
        if (incarnation != Incarnation || !ReferenceEquals(_inflight, ready))
        {
            return;
        }

        if (IsPaused)
        {
            _cluster.Loop.At(PausedUntil, () => FinishWritten(ready, incarnation));
            return;
        }

        Finish(ready);
        Pump();
        _cluster.Checker.AfterStep(this);
    }

    /// <summary>The batch is durable: acknowledge it, then send what needed durability, apply, and answer requests.</summary>
    private void Finish(Ready ready)
    {
        var core = Core!;
        Storage.PersistStable(ready);
        var installed = HandleSnapshotReceives(ready);
        Storage.PersistLog(ready);
        MaxDurableLogLength = Math.Max(MaxDurableLogLength, Storage.Log.Count);
        try
        {
            core.Advance(ready);
            _inflight = null;
            foreach (var m in ready.MessagesAfterPersist)
            {
                Send(m);
            }

            if (installed is not null)
            {
                SnapshotsInstalled++;
                ForgetProposalsCoveredBy(installed.LastIncludedIndex);
                ReportInstalled(installed);
            }

            Apply(ready.CommittedEntries);
            if (Kv.Applied > core.Status.AppliedIndex)
            {
                core.ReportApplied(Kv.Applied);
            }
        }
        catch (Exception e) when (e is not SimulationFailure)
        {
            _cluster.Fail("core threw", $"node {Id} while finishing a batch: {e.GetType().Name}: {e.Message}", e);
        }

        foreach (var c in ready.Completions)
        {
            if (_requests.Remove(c.RequestId, out var done))
            {
                done(c);
            }
        }

        foreach (var chunk in ready.SnapshotChunks)
        {
            SendChunk(chunk);
        }

        ServeReads();
        MaybeTakeSnapshot();
    }

    /// <summary>Tells the core the state machine holds the snapshot: at once, or after the restore latency (as a separate input).</summary>
    private void ReportInstalled(SnapshotMetadata installed)
    {
        var o = _cluster.Options;
        var latency = o.InstallLatencyMax <= 0 ? 0 : o.InstallLatencyMin + _cluster.Random.NextInt64(o.InstallLatencyMax - o.InstallLatencyMin + 1);
        if (latency == 0)
        {
            Core!.SnapshotInstalled(installed);
            AfterInstall?.Invoke(this);
            return;
        }

        var incarnation = Incarnation;
        _cluster.Loop.After(latency, () =>
        {
            if (incarnation == Incarnation)
            {
                Input("installed", $"snapshot {installed.LastIncludedIndex}", c => c.SnapshotInstalled(installed));
                AfterInstall?.Invoke(this);
            }
        });
    }

    private SnapshotMetadata? HandleSnapshotReceives(Ready ready)
    {
        SnapshotMetadata? installed = null;
        foreach (var r in ready.SnapshotReceives)
        {
            switch (r.Kind)
            {
                case SnapshotReceiveKind.Begin:
                    _incoming = (r.Metadata, new MemoryStream());
                    _incoming.Value.Data.Write(r.Data.Span);
                    Storage.ReceiveSnapshot(r);
                    break;
                case SnapshotReceiveKind.Write:
                    RequireIncoming(r).Data.Write(r.Data.Span);
                    Storage.ReceiveSnapshot(r);
                    break;
                case SnapshotReceiveKind.Abort:
                    _incoming = null;
                    Storage.ReceiveSnapshot(r);
                    break;
                case SnapshotReceiveKind.Install:
                    var image = RequireIncoming(r).Data.ToArray();
                    if (image.Length != r.Metadata.Size)
                    {
                        _cluster.Fail("incomplete snapshot installed",
                            $"node {Id}: snapshot {r.Metadata.LastIncludedIndex} is {r.Metadata.Size} bytes but {image.Length} were received");
                    }

                    Storage.ReceiveSnapshot(r);
                    Kv = RestoreChecked(image, r.Metadata);
                    _incoming = null;
                    installed = r.Metadata;
                    _cluster.Trace("installed", Id, $"snapshot {r.Metadata.LastIncludedIndex}@{r.Metadata.LastIncludedTerm} {r.Metadata.Configuration}");
                    break;
            }
        }

        return installed;
    }

    private (SnapshotMetadata Meta, MemoryStream Data) RequireIncoming(SnapshotReceive r)
    {
        if (_incoming is not { } incoming || incoming.Meta.LastIncludedIndex != r.Metadata.LastIncludedIndex ||
            incoming.Meta.LastIncludedTerm != r.Metadata.LastIncludedTerm)
        {
            _cluster.Fail("snapshot receive out of order",
                $"node {Id}: {r.Kind} for snapshot {r.Metadata.LastIncludedIndex}@{r.Metadata.LastIncludedTerm} without a matching Begin " +
                $"(receiving {(_incoming is { } i ? $"{i.Meta.LastIncludedIndex}@{i.Meta.LastIncludedTerm}" : "nothing")})");
        }

        return _incoming!.Value;
    }

    private void Apply(List<LogEntry> entries)
    {
        foreach (var e in entries)
        {
            if (e.Index <= Kv.Applied)
            {
                // Covered by a snapshot installed in this batch.
                continue;
            }

            if (e.Index != Kv.Applied + 1)
            {
                _cluster.Fail("gap in applied entries", $"node {Id}: applied through {Kv.Applied}, asked to apply {e.Index}");
            }

            var output = Kv.Apply(e);
            _cluster.Checker.OnApplied(this, e);
            if (_proposals.Remove(e.Index, out var waiters))
            {
                foreach (var (term, done) in waiters)
                {
                    done(term == e.Term ? ProposalOutcome.Applied : ProposalOutcome.Lost, output);
                }
            }
        }
    }

    /// <summary>A snapshot skipped these indexes here: their outputs are unknown (whether they took effect is decided elsewhere).</summary>
    private void ForgetProposalsCoveredBy(long index)
    {
        foreach (var i in _proposals.Keys.Where(i => i <= index).Order().ToList())
        {
            _proposals.Remove(i, out var waiters);
            foreach (var (_, done) in waiters!)
            {
                done(ProposalOutcome.Unknown, "");
            }
        }
    }

    /// <summary>Leader side: reads the requested bytes of the snapshot from the store and sends them.</summary>
    private void SendChunk(SnapshotSend s)
    {
        if (Storage.Snapshot is not { } stored || stored.LastIncludedIndex != s.Metadata.LastIncludedIndex ||
            stored.LastIncludedTerm != s.Metadata.LastIncludedTerm)
        {
            StaleChunkRequests++;
            _cluster.Trace("stalechunk", Id, $"to {s.To}: snapshot {s.Metadata.LastIncludedIndex} requested, store holds {Storage.SnapshotIndex}");
            return;
        }

        if (s.Offset < 0 || s.Length < 0 || s.Offset + s.Length > stored.Size)
        {
            _cluster.Fail("snapshot chunk out of range", $"node {Id}: chunk [{s.Offset}, +{s.Length}) of a {stored.Size}-byte snapshot");
        }

        Send(new InstallSnapshot
        {
            From = Id,
            To = s.To,
            Term = s.Term,
            Metadata = s.Metadata,
            Offset = s.Offset,
            Data = Storage.ReadSnapshot(s.Offset, s.Length),
            Done = s.Offset + s.Length >= s.Metadata.Size,
        });
    }

    /// <summary>
    /// The snapshot policy: every <see cref="SimOptions.SnapshotEvery"/> applied entries, capture the state machine at once
    /// (a point-in-time image), write it in the background (the node keeps working meanwhile), then tell the core, which
    /// compacts the log up to the snapshot minus the trailing window.
    /// </summary>
    private void MaybeTakeSnapshot()
    {
        var every = _cluster.Options.SnapshotEvery;
        if (every <= 0 || _capturing || Core is not { } core || Kv.Applied - Storage.SnapshotIndex < every)
        {
            return;
        }

        var term = core.TermAt(Kv.Applied);
        if (term <= 0)
        {
            _cluster.Fail("term of applied entry unknown", $"node {Id}: applied {Kv.Applied} but the core has no term for it");
        }

        var image = Kv.Capture();
        var meta = new SnapshotMetadata(Kv.Applied, term, Kv.Config, image.Length);
        _capturing = true;
        Storage.BeginSnapshot(meta, image);
        var incarnation = Incarnation;
        _cluster.Loop.After(_cluster.Random.NextInt64(2 * SimTime.TickMicros), () =>
        {
            if (incarnation != Incarnation)
            {
                return;
            }

            _capturing = false;
            if (!Storage.FinishSnapshot())
            {
                return; // A newer snapshot was received meanwhile.
            }

            SnapshotsTaken++;
            Debug.Assert(Core is not null);
            Input("snapshot", $"taken {meta.LastIncludedIndex}@{meta.LastIncludedTerm} ({image.Length} bytes)",
                c => c.SnapshotTaken(meta, meta.LastIncludedIndex - _cluster.Options.SnapshotTrailing));
        });
    }
}
