using System.Diagnostics;
using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Storage;

namespace HsmRaft.Runtime;

/// <summary>The node loop: the only code that touches the core.</summary>
public sealed partial class RaftNode
{
    private const int MaxInputsPerRound = 4096;
    private ISnapshotSink? _incomingSnapshot;

    private async Task LoopAsync()
    {
        var core = _core!;
        var reader = _inbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                core.ReportApplied(Volatile.Read(ref _appliedForCore));

                // Take everything that is waiting: all proposals that arrived during the last fsync go into the next one.
                for (var n = 0; n < MaxInputsPerRound && reader.TryRead(out var input); n++)
                {
                    Handle(core, input);
                }

                await ProcessReadyAsync(core).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Typically storage (an fsync that failed): what is durable is unknown, so the node must not acknowledge anything more.
            FailStop("its loop failed", e);
            FailQueuedInputs(_failure!);
        }
    }

    private void Handle(RaftCore core, in NodeInput input)
    {
        switch (input.Kind)
        {
            case InputKind.Message:
                core.Step(input.Message!);
                break;
            case InputKind.Tick:
                core.Tick();
                break;
            case InputKind.Propose:
                Propose(core, input);
                break;
            case InputKind.Read:
                core.ReadIndex(input.Index);
                break;
            case InputKind.Membership:
                core.ChangeMembership(input.Index, input.Change!);
                break;
            case InputKind.Transfer:
                core.TransferLeadership(input.Index, input.Peer);
                break;
            case InputKind.Applied:
                core.ReportApplied(Volatile.Read(ref _appliedForCore));
                break;
            case InputKind.SnapshotTaken:
                core.ReportApplied(Volatile.Read(ref _appliedForCore));
                core.SnapshotTaken(input.Snapshot!, input.Snapshot!.LastIncludedIndex - _options.SnapshotTrailingEntries);
                break;
            case InputKind.SnapshotInstalled:
                core.SnapshotInstalled(input.Snapshot!);
                break;
            case InputKind.Unreachable:
                core.ReportUnreachable(input.Peer);
                break;
        }
    }

    private void Propose(RaftCore core, in NodeInput input)
    {
        var completion = (TaskCompletionSource<object?>)input.Completion!;
        if (Volatile.Read(ref _failure) is { } failure)
        {
            completion.TrySetException(Failed(failure));
            return;
        }

        if (_state != 1)
        {
            completion.TrySetException(new ProposalDroppedException($"Raft node {Id} is stopping and accepts no more proposals."));
            return;
        }

        try
        {
            var ticket = core.Propose(input.Command);
            lock (_proposals)
            {
                _proposals[ticket.Index] = new PendingProposal(ticket.Term, completion, input.Index);
            }

            Metrics.Proposals.Add(1, Metrics.Tag);
        }
        catch (RaftException e)
        {
            completion.TrySetException(e);
        }
    }

    /// <summary>Performs the core's work in the order <see cref="Ready"/> documents.</summary>
    private async Task ProcessReadyAsync(RaftCore core)
    {
        while (core.HasReady)
        {
            var ready = core.GetReady();
            Send(ready.Messages);
            await PersistAsync(ready).ConfigureAwait(false);
            core.Advance(ready);
            Send(ready.MessagesAfterPersist);

            // After the fsync, as Ready documents: reading a chunk from disk must not delay the batch's commit.
            foreach (var chunk in ready.SnapshotChunks)
            {
                await SendSnapshotChunkAsync(chunk).ConfigureAwait(false);
            }

            if (ready.Configuration is { } configuration)
            {
                UpdateTransportPeers(configuration);
            }

            RaftStatus? status = null; // the core does not change again in this iteration: one status serves both uses
            if (ready.CommittedEntries.Count > 0)
            {
                // Published before the entries reach the apply loop: a proposal completes there, and whoever it wakes must
                // read a Status whose commit index covers the entry (it could read the previous one otherwise).
                _status = status = core.Status;
                _applyQueue.Writer.TryWrite(new ApplyItem { Entries = ready.CommittedEntries });
            }

            foreach (var completion in ready.Completions)
            {
                Complete(completion);
            }

            if (ready.StatusChanged || ready.Configuration is not null)
            {
                PublishStatus(status ?? core.Status);
            }
        }

        _status = core.Status;
    }

    private void Send(List<RaftMessage> messages)
    {
        foreach (var m in messages)
        {
            _transport.Send(m);
            if (m is AppendEntries a)
            {
                long bytes = 0;
                foreach (var e in a.Entries)
                {
                    bytes += e.Data.Length;
                }

                Metrics.BytesSent.Add(bytes, Metrics.Tag);
            }
        }

        if (messages.Count > 0)
        {
            Metrics.MessagesSent.Add(messages.Count, Metrics.Tag);
        }
    }

    private async Task PersistAsync(Ready ready)
    {
        if (ready.HardState is not null || ready.Configuration is not null)
        {
            _savedState = new PersistentState(ready.HardState ?? _savedState.HardState, ready.Configuration ?? _savedState.Configuration);
            await _stableStore.SaveAsync(_savedState).ConfigureAwait(false);
        }

        foreach (var receive in ready.SnapshotReceives)
        {
            await ReceiveSnapshotAsync(receive).ConfigureAwait(false);
        }

        // Compaction first: after a follower installs a snapshot it replaces the log, and new entries follow the snapshot.
        if (ready.CompactLogThrough is { } compact)
        {
            await _logStore.CompactAsync(compact.Index, compact.Term).ConfigureAwait(false);
        }

        if (ready.Entries.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            await _logStore.AppendAsync(ready.Entries).ConfigureAwait(false);
            Metrics.FsyncLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, Metrics.Tag);
            Metrics.AppendBatch.Record(ready.Entries.Count, Metrics.Tag);
        }
    }

    private void Complete(CoreCompletion completion)
    {
        if (!_requests.TryGetValue(completion.RequestId, out var tcs))
        {
            return;
        }

        if (completion.Error is { } error)
        {
            tcs.TrySetException(error);
        }
        else if (completion.Kind == CompletionKind.ReadIndex)
        {
            // Linearizable once this node has applied everything up to the read index.
            _applyQueue.Writer.TryWrite(new ApplyItem { Barrier = tcs, Index = completion.Index });
        }
        else
        {
            tcs.TrySetResult();
        }
    }

    /// <summary>Leader side: reads one chunk of the latest snapshot and sends it.</summary>
    private async Task SendSnapshotChunkAsync(SnapshotSend chunk)
    {
        try
        {
            await using var stream = await _snapshotStore.OpenReadAsync().ConfigureAwait(false);
            if (stream is null || _snapshotStore.Latest?.LastIncludedIndex != chunk.Metadata.LastIncludedIndex)
            {
                return;
            }

            var buffer = new byte[chunk.Length];
            stream.Seek(chunk.Offset, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(buffer).ConfigureAwait(false);
            _transport.Send(new InstallSnapshot
            {
                From = Id,
                To = chunk.To,
                Term = chunk.Term,
                Metadata = chunk.Metadata,
                Offset = chunk.Offset,
                Data = buffer,
                Done = chunk.Offset + chunk.Length >= chunk.Metadata.Size,
            });
            Metrics.BytesSent.Add(buffer.Length, Metrics.Tag);
            Metrics.ChunkSent();
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
        {
            NodeLog.SnapshotSendFailed(_logger, e, Id, chunk.To);
        }
    }

    /// <summary>Follower side: writes received chunks; on the last one commits the snapshot and has the state machine restored.</summary>
    private async Task ReceiveSnapshotAsync(SnapshotReceive receive)
    {
        switch (receive.Kind)
        {
            case SnapshotReceiveKind.Begin:
                if (_incomingSnapshot is not null)
                {
                    await _incomingSnapshot.DisposeAsync().ConfigureAwait(false);
                }

                _incomingSnapshot = await _snapshotStore.CreateAsync(receive.Metadata).ConfigureAwait(false);
                await _incomingSnapshot.WriteAsync(receive.Data).ConfigureAwait(false);
                break;
            case SnapshotReceiveKind.Write:
                if (_incomingSnapshot is not null)
                {
                    await _incomingSnapshot.WriteAsync(receive.Data).ConfigureAwait(false);
                }

                break;
            case SnapshotReceiveKind.Install:
                if (_incomingSnapshot is not null)
                {
                    var committed = await _incomingSnapshot.CommitAsync().ConfigureAwait(false);
                    await _incomingSnapshot.DisposeAsync().ConfigureAwait(false);
                    _incomingSnapshot = null;
                    _applyQueue.Writer.TryWrite(new ApplyItem { Restore = committed });
                }

                break;
            case SnapshotReceiveKind.Abort:
                if (_incomingSnapshot is not null)
                {
                    await _incomingSnapshot.DisposeAsync().ConfigureAwait(false);
                    _incomingSnapshot = null;
                }

                break;
        }
    }
}
