using HsmRaft.Messages;

namespace HsmRaft.Core;

/// <summary>
/// A batch of work the core asks its runtime to perform, in this order:
/// 1. send <see cref="Messages"/> (safe before persisting: the leader replicates while it writes its own log, thesis §10.2.1);
/// 2. persist <see cref="HardState"/>/<see cref="Configuration"/>, handle <see cref="SnapshotReceives"/>, apply
///    <see cref="CompactLogThrough"/> to the log store, then append <see cref="Entries"/> durably (one fsync);
/// 3. call <see cref="RaftCore.Advance"/>; 4. send <see cref="MessagesAfterPersist"/> (votes and acknowledgements, which promise
///    durability); 5. apply <see cref="CommittedEntries"/>, complete <see cref="Completions"/>, read and send
///    <see cref="SnapshotChunks"/>.
/// </summary>
public sealed class Ready
{
    internal Ready()
    {
    }

    /// <summary>The hard state to persist, or null when unchanged.</summary>
    public HardState? HardState { get; internal set; }

    /// <summary>The configuration now in force, to persist with the hard state; null when unchanged.</summary>
    public ClusterConfiguration? Configuration { get; internal set; }

    /// <summary>Entries to append durably. When the first index is at or below the last persisted index, the stored suffix
    /// from that index is replaced (conflict truncation).</summary>
    public List<LogEntry> Entries { get; } = [];

    /// <summary>Messages to send now.</summary>
    public List<RaftMessage> Messages { get; } = [];

    /// <summary>Messages to send only after this batch is durable.</summary>
    public List<RaftMessage> MessagesAfterPersist { get; } = [];

    /// <summary>Committed entries to apply, in order (commands, no-ops and configurations; the runtime applies commands).</summary>
    public List<LogEntry> CommittedEntries { get; } = [];

    /// <summary>Outcomes of earlier requests (reads, membership changes, leadership transfers).</summary>
    public List<CoreCompletion> Completions { get; } = [];

    /// <summary>Leader side: snapshot chunks to read from the snapshot store and send as <see cref="InstallSnapshot"/>.</summary>
    public List<SnapshotSend> SnapshotChunks { get; } = [];

    /// <summary>Follower side: snapshot data received, to write (or abort / install).</summary>
    public List<SnapshotReceive> SnapshotReceives { get; } = [];

    /// <summary>When set, the log store may drop entries up to and including this index (a snapshot covers them).</summary>
    public (long Index, long Term)? CompactLogThrough { get; internal set; }

    /// <summary>Role, leader or term changed in this batch (for status and observers).</summary>
    public bool StatusChanged { get; internal set; }

    /// <summary>True when anything must be made durable before <see cref="MessagesAfterPersist"/> go out.</summary>
    public bool MustPersist => HardState is not null || Configuration is not null || Entries.Count > 0 ||
                               SnapshotReceives.Count > 0 || CompactLogThrough is not null;

    /// <summary>True when the batch holds no work at all.</summary>
    public bool IsEmpty => !MustPersist && Messages.Count == 0 && MessagesAfterPersist.Count == 0 && CommittedEntries.Count == 0 &&
                           Completions.Count == 0 && SnapshotChunks.Count == 0 && !StatusChanged;
}

/// <summary>What kind of request a <see cref="CoreCompletion"/> finishes.</summary>
public enum CompletionKind
{
    /// <summary>A ReadIndex request: <see cref="CoreCompletion.Index"/> is the read index; serve the read once applied reaches it.</summary>
    ReadIndex,

    /// <summary>A membership change finished (its final configuration committed) or failed.</summary>
    MembershipChange,

    /// <summary>A leadership transfer finished (another node leads) or failed.</summary>
    LeadershipTransfer,
}

/// <summary>The outcome of a request identified by the caller's <paramref name="RequestId"/>.</summary>
/// <param name="RequestId">The id the runtime passed with the request.</param>
/// <param name="Kind">The request's kind.</param>
/// <param name="Index">For reads: the read index. For membership changes: the index of the final configuration.</param>
/// <param name="Error">Null on success; otherwise why it failed.</param>
public readonly record struct CoreCompletion(long RequestId, CompletionKind Kind, long Index, RaftException? Error);

/// <summary>A snapshot chunk the leader wants sent: the runtime reads <paramref name="Length"/> bytes at <paramref name="Offset"/>
/// from the snapshot store (the snapshot described by <paramref name="Metadata"/>) and sends an <see cref="InstallSnapshot"/>.</summary>
public readonly record struct SnapshotSend(NodeId To, long Term, SnapshotMetadata Metadata, long Offset, int Length);

/// <summary>What a follower must do with received snapshot data.</summary>
public enum SnapshotReceiveKind
{
    /// <summary>Start a new snapshot (discarding any partial one) and write <see cref="SnapshotReceive.Data"/> at offset 0.</summary>
    Begin,

    /// <summary>Append <see cref="SnapshotReceive.Data"/> to the snapshot being received.</summary>
    Write,

    /// <summary>The last chunk was written: commit the snapshot, restore the state machine from it, compact the log, then call
    /// <see cref="RaftCore.SnapshotInstalled"/>.</summary>
    Install,

    /// <summary>Discard the partial snapshot (the stream was abandoned).</summary>
    Abort,
}

/// <summary>One follower-side snapshot action.</summary>
public readonly record struct SnapshotReceive(SnapshotReceiveKind Kind, SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data);
