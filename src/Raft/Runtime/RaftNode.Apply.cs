using System.Diagnostics;
using System.Threading.Channels;
using HsmRaft.Storage;

namespace HsmRaft.Runtime;

/// <summary>The apply loop: applies committed entries in order, completes proposals and read barriers, and takes snapshots.</summary>
public sealed partial class RaftNode
{
    private readonly List<(long Index, TaskCompletionSource Barrier)> _barriers = [];
    private long _appliedIndex;
    private long _appliedTerm;
    private ClusterConfiguration _appliedConfiguration = ClusterConfiguration.Empty;
    private long _lastSnapshotIndex;
    private long _bytesSinceSnapshot;
    private int _snapshotInProgress;
    private long _appliedForCore;
    private Task _snapshotWriter = Task.CompletedTask;

    private async Task ApplyLoopAsync()
    {
        var reader = _applyQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Entries is { } entries)
                    {
                        await ApplyAsync(entries).ConfigureAwait(false);
                    }
                    else if (item.Barrier is { } barrier)
                    {
                        _barriers.Add((item.Index, barrier));
                    }
                    else if (item.Restore is { } snapshot)
                    {
                        await RestoreAsync(snapshot).ConfigureAwait(false);
                    }
                }

                ReleaseBarriers();

                // Published before any snapshot of it is taken: the loop reads it whenever it runs, so a wake-up lost to a full
                // inbox only delays the report, and a snapshot is never reported beyond the applied index the core knows.
                Volatile.Write(ref _appliedForCore, _appliedIndex);
                _inbox.Writer.TryWrite(new NodeInput { Kind = InputKind.Applied });
                MaybeSnapshot();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the state machine gave up on the entry; it is committed and is applied again after a restart.
        }
        catch (Exception e)
        {
            // The state machine no longer matches the log (a snapshot it could not restore, say): stop the whole node, not just
            // this loop, or the node would keep leading and accepting proposals that nothing ever completes.
            FailStop("it could not apply committed entries", e);
            _applyQueue.Writer.TryComplete();
        }

        // Nothing applies any more: whoever waits for an index fails now. (Only this loop touches the barriers.)
        var error = Volatile.Read(ref _failure) ?? new ProposalDroppedException($"Raft node {Id} stopped before applying the awaited index.");
        while (reader.TryRead(out var item))
        {
            item.Barrier?.TrySetException(error);
        }

        foreach (var (_, barrier) in _barriers)
        {
            barrier.TrySetException(error);
        }

        _barriers.Clear();
    }

    private async Task ApplyAsync(List<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Index <= _appliedIndex)
            {
                continue;
            }

            object? result = null;
            Exception? error = null;
            switch (entry.Kind)
            {
                case LogEntryKind.Command:
                    try
                    {
                        result = await _stateMachine.ApplyAsync(entry, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                    {
                        NodeLog.ApplyFailed(_logger, e, Id, entry.Index);
                        error = e;
                    }

                    break;
                case LogEntryKind.Configuration:
                    _appliedConfiguration = ClusterConfiguration.Decode(entry.Data.Span);
                    break;
            }

            _appliedIndex = entry.Index;
            _appliedTerm = entry.Term;
            _bytesSinceSnapshot += entry.Data.Length;
            CompleteProposal(entry, result, error);
        }
    }

    private void CompleteProposal(in LogEntry entry, object? result, Exception? error)
    {
        PendingProposal? pending;
        lock (_proposals)
        {
            if (!_proposals.Remove(entry.Index, out pending))
            {
                return;
            }
        }

        if (pending.Term != entry.Term)
        {
            // Another leader's entry took the slot: ours was never committed.
            pending.Completion.TrySetException(new ProposalDroppedException(
                $"The command proposed at index {entry.Index} in term {pending.Term} was replaced by a later leader's entry; it did not take effect. Retry it."));
            return;
        }

        Metrics.CommitLatency.Record(_options.TimeProvider.GetElapsedTime(pending.StartTimestamp).TotalMilliseconds, Metrics.Tag);
        if (error is not null)
        {
            pending.Completion.TrySetException(error);
        }
        else
        {
            pending.Completion.TrySetResult(result);
        }
    }

    /// <summary>
    /// Leadership was lost (stepped down, deposed, or handed over): a proposal beyond the commit index may never commit, or may
    /// commit under the next leader, and this node may not learn which for a long time (a partitioned leader hears nothing until
    /// the partition heals). Its proposer gets <see cref="ProposalDroppedException"/> now, as <see cref="IRaftNode.ProposeAsync"/>
    /// documents, instead of waiting without end. Proposals up to the commit index are committed and complete when applied.
    /// </summary>
    private void DropUncommittedProposals(long commitIndex)
    {
        List<(long Index, PendingProposal Proposal)> dropped;
        lock (_proposals)
        {
            dropped = [.. _proposals.Where(p => p.Key > commitIndex).Select(p => (p.Key, p.Value))];
            foreach (var (index, _) in dropped)
            {
                _proposals.Remove(index);
            }
        }

        foreach (var (index, proposal) in dropped)
        {
            proposal.Completion.TrySetException(new ProposalDroppedException(
                $"Node {Id} lost leadership before the command at index {index} committed; it may still commit under the next leader. " +
                "Retry idempotent commands; check the state before retrying others."));
        }
    }

    /// <summary>Queues a notification the loop must not miss, waiting for room in the inbox (the loop never waits for the
    /// apply loop or a snapshot writer, so this cannot deadlock); dropped only when the node stops.</summary>
    private async ValueTask NotifyLoopAsync(NodeInput input)
    {
        try
        {
            await _inbox.Writer.WriteAsync(input, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ChannelClosedException || (e is OperationCanceledException && _stopping.IsCancellationRequested))
        {
        }
    }

    private void ReleaseBarriers()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            // The node failed: the awaited index may never be applied.
            foreach (var (_, barrier) in _barriers)
            {
                barrier.TrySetException(failure);
            }

            _barriers.Clear();
            return;
        }

        for (var i = _barriers.Count - 1; i >= 0; i--)
        {
            if (_barriers[i].Index <= _appliedIndex)
            {
                _barriers[i].Barrier.TrySetResult();
                _barriers.RemoveAt(i);
            }
        }
    }

    /// <summary>Replaces the state machine's state with a snapshot received from the leader.</summary>
    private async Task RestoreAsync(SnapshotMetadata snapshot)
    {
        await using (var stream = await _snapshotStore.OpenReadAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Snapshot {snapshot.LastIncludedIndex} was committed but cannot be read back."))
        {
            await _stateMachine.RestoreAsync(stream, _stopping.Token).ConfigureAwait(false);
        }

        _appliedIndex = snapshot.LastIncludedIndex;
        _appliedTerm = snapshot.LastIncludedTerm;
        _appliedConfiguration = snapshot.Configuration;
        _lastSnapshotIndex = snapshot.LastIncludedIndex;
        _bytesSinceSnapshot = 0;

        // Commands this node proposed at covered indexes have an unknown outcome from its point of view.
        lock (_proposals)
        {
            foreach (var index in _proposals.Keys.Where(i => i <= snapshot.LastIncludedIndex).ToList())
            {
                _proposals.Remove(index, out var pending);
                pending!.Completion.TrySetException(new ProposalDroppedException(
                    $"Node {Id} installed a snapshot covering index {index} before applying it; whether the command took effect is unknown here. " +
                    "Check the state before retrying."));
            }
        }

        Metrics.SnapshotInstalls.Add(1, Metrics.Tag);
        NodeLog.SnapshotInstalled(_logger, Id, snapshot.LastIncludedIndex);
        Volatile.Write(ref _appliedForCore, _appliedIndex);

        // Must arrive even when the inbox is full: until the core hears of it, it holds back the leader's entries.
        await NotifyLoopAsync(new NodeInput { Kind = InputKind.SnapshotInstalled, Snapshot = snapshot }).ConfigureAwait(false);
    }

    /// <summary>
    /// Snapshot policy: after <see cref="RaftNodeOptions.SnapshotEveryEntries"/> applied entries or
    /// <see cref="RaftNodeOptions.SnapshotEveryBytes"/> applied bytes, capture the state machine here (point in time) and write it
    /// in the background, so neither the node loop nor applying stops.
    /// </summary>
    private void MaybeSnapshot()
    {
        var byEntries = _options.SnapshotEveryEntries > 0 && _appliedIndex - _lastSnapshotIndex >= _options.SnapshotEveryEntries;
        var byBytes = _options.SnapshotEveryBytes > 0 && _bytesSinceSnapshot >= _options.SnapshotEveryBytes;
        if (!(byEntries || byBytes) || _appliedIndex <= _lastSnapshotIndex || Interlocked.CompareExchange(ref _snapshotInProgress, 1, 0) != 0)
        {
            return;
        }

        _bytesSinceSnapshot = 0;

        var source = _stateMachine.CaptureSnapshot();
        var metadata = new SnapshotMetadata(_appliedIndex, _appliedTerm, _appliedConfiguration);
        _lastSnapshotIndex = _appliedIndex;
        _snapshotWriter = Task.Run(() => WriteSnapshotAsync(source, metadata));
    }

    private async Task WriteSnapshotAsync(IRaftSnapshotSource source, SnapshotMetadata metadata)
    {
        using var activity = RaftMetrics.ActivitySource.StartActivity("raft.snapshot");
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var sink = await _snapshotStore.CreateAsync(metadata, _stopping.Token).ConfigureAwait(false);
            await using (var stream = new SinkStream(sink))
            {
                await source.WriteToAsync(stream, _stopping.Token).ConfigureAwait(false);
            }

            var committed = await sink.CommitAsync(_stopping.Token).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Metrics.SnapshotsTaken.Add(1, Metrics.Tag);
            Metrics.SnapshotSize.Record(committed.Size, Metrics.Tag);
            Metrics.SnapshotDuration.Record(elapsed.TotalMilliseconds, Metrics.Tag);
            NodeLog.SnapshotTaken(_logger, Id, committed.LastIncludedIndex, committed.Size, (long)elapsed.TotalMilliseconds);

            // Must arrive even when the inbox is full, or the log is not compacted and the leader keeps sending an older snapshot.
            await NotifyLoopAsync(new NodeInput { Kind = InputKind.SnapshotTaken, Snapshot = committed }).ConfigureAwait(false);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            NodeLog.SnapshotFailed(_logger, e, Id);
        }
        catch (Exception)
        {
            // Stopping: cancelled, or the store closed under the write; the snapshot is simply not taken.
        }
        finally
        {
            source.Dispose();
            Volatile.Write(ref _snapshotInProgress, 0);
        }
    }
}
