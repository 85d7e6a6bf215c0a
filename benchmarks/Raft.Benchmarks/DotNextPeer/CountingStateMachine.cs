using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.DotNextPeer;

// Inside the namespace, so it wins over HsmRaft.LogEntry from the enclosing namespace.
using LogEntry = DotNext.Net.Cluster.Consensus.Raft.StateMachine.LogEntry;

/// <summary>
/// The trivial replicated state machine for the DotNext voters: it reads each command's payload into
/// <see cref="AppliedCommands"/>. It never snapshots, so the write-ahead log only grows during a run
/// (a run lasts seconds and its directory is deleted afterwards).
/// </summary>
internal sealed class CountingStateMachine : IStateMachine
{
    public AppliedCommands Applied { get; } = new();

    ISnapshot? ISnapshotManager.Snapshot => null;

    ValueTask ISnapshotManager.ReclaimGarbageAsync(long watermark, CancellationToken token) => ValueTask.CompletedTask;

    ValueTask<long> IStateMachine.ApplyAsync(LogEntry entry, CancellationToken token)
    {
        // Empty entries are the no-op barriers a new leader appends; they are not benchmark commands.
        if (!entry.IsConfiguration && entry.TryGetPayload(out var payload) && !payload.IsEmpty)
            Applied.Record(payload);
        return ValueTask.FromResult(entry.Index);
    }
}
