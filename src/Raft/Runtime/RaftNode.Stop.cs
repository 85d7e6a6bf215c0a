using HsmRaft.Core;

namespace HsmRaft.Runtime;

/// <summary>Shutdown: hand leadership over, let in-flight work settle, then stop the loops, the transport and storage.</summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Stops the node. A leader first transfers leadership to the most up-to-date voter (so the cluster does not wait for an
    /// election timeout) and waits for its in-flight proposals to settle; whatever is still pending when
    /// <paramref name="cancellationToken"/> fires fails with <see cref="ProposalDroppedException"/>. Safe to call more than once
    /// and concurrently: a later call returns when the node has stopped (or throws <see cref="OperationCanceledException"/>
    /// if its own token fires first; the stop under way goes on).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task stop;
        if (Interlocked.CompareExchange(ref _state, 2, 1) == 1)
        {
            stop = StopStartedAsync(cancellationToken);
        }
        else if (Interlocked.CompareExchange(ref _state, 3, 0) == 0)
        {
            stop = DisposeResourcesAsync(); // never started
        }
        else
        {
            await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await stop.ConfigureAwait(false);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Completes when a stop has finished (whether it succeeded or threw); later StopAsync calls wait on it.</summary>
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StopStartedAsync(CancellationToken cancellationToken)
    {
        var status = _status;
        NodeLog.Stopping(_logger, Id, status.Role == RaftRole.Leader);
        try
        {
            await DrainAsync(cancellationToken).ConfigureAwait(false);
            // NodeId.None: the core picks the most up-to-date voter that answered recently.
            if (status.Role == RaftRole.Leader && status.Configuration.Voters.Any(v => v != Id))
            {
                await TransferLeadershipAsync(NodeId.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RaftException)
        {
            // Best effort: stopping proceeds without a hand-over (the others elect a leader after a timeout).
        }

        _ticker?.Dispose();
        _stopping.Cancel();
        _inbox.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        var stopped = new ProposalDroppedException($"Raft node {Id} stopped before the request completed; a proposal may still commit on the other nodes.");

        // The loop stops at cancellation, possibly with proposals still queued behind it: they never reached the core.
        FailQueuedInputs(stopped);
        _applyQueue.Writer.TryComplete();
        await _applyLoop.ConfigureAwait(false);

        // A snapshot still being written would otherwise write into a store that is about to be disposed.
        await _snapshotWriter.ConfigureAwait(false);
        FailAll(stopped);
        await DisposeResourcesAsync().ConfigureAwait(false);
        _state = 3;
        _statusChanges.Complete();
    }

    /// <summary>Why the node fail-stopped (storage or state machine failure); null while healthy.</summary>
    private RaftException? _failure;

    /// <summary>Waits (bounded by the token) until no proposal made on this node is pending.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_proposals)
        {
            pending = _proposals.Values.Select(p => (Task)p.Completion.Task).ToArray();
        }

        if (pending.Length > 0)
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private void FailAll(Exception error)
    {
        List<PendingProposal> proposals;
        lock (_proposals)
        {
            proposals = [.. _proposals.Values];
            _proposals.Clear();
        }

        foreach (var p in proposals)
        {
            p.Completion.TrySetException(error);
        }

        foreach (var request in _requests.Values)
        {
            request.TrySetException(error);
        }
    }

    /// <summary>
    /// Fail-stop after an unrecoverable error (storage, or a state machine that cannot follow the log): the inbox closes so
    /// nothing more is accepted or acknowledged, and every waiting request fails with <paramref name="cause"/> as the reason.
    /// </summary>
    private void FailStop(string reason, Exception cause)
    {
        var error = new RaftException($"Raft node {Id} stopped because {reason}: {cause.Message}", cause);
        if (Interlocked.CompareExchange(ref _failure, error, null) is not null)
        {
            return;
        }

        NodeLog.LoopFailed(_logger, cause, Id);
        _inbox.Writer.TryComplete();
        _applyQueue.Writer.TryWrite(default); // Wakes the apply loop, which fails the read barriers it holds.
        FailAll(error);
    }

    /// <summary>Fails the proposals and reads still queued in the inbox once the loop no longer reads it.</summary>
    private void FailQueuedInputs(Exception error)
    {
        while (_inbox.Reader.TryRead(out var input))
        {
            switch (input.Completion)
            {
                case TaskCompletionSource<object?> proposal:
                    proposal.TrySetException(error);
                    break;
                case TaskCompletionSource request:
                    request.TrySetException(error);
                    break;
            }
        }
    }

    /// <summary>A fresh exception for one caller, carrying the failure that stopped the node.</summary>
    private static RaftException Failed(RaftException failure) => new(failure.Message, failure.InnerException);

    private async Task DisposeResourcesAsync()
    {
        if (_incomingSnapshot is not null)
        {
            await _incomingSnapshot.DisposeAsync().ConfigureAwait(false);
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        await _logStore.DisposeAsync().ConfigureAwait(false);
        await _stableStore.DisposeAsync().ConfigureAwait(false);
        await _snapshotStore.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
