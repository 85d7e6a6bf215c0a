namespace HsmRaft.Core.Progress;

/// <summary>Send whatever the follower can take now; <paramref name="Retry"/> is set on heartbeat ticks so a stalled stream resends.</summary>
internal readonly record struct Pump(bool Retry);

/// <summary>A follower answered an AppendEntries.</summary>
internal readonly record struct AppendAck(bool Success, long Index, long RejectHint, long ConflictTerm);

/// <summary>A follower answered a snapshot chunk.</summary>
internal readonly record struct SnapshotAck(long SnapshotIndex, long NextOffset, bool Done, bool Rejected);

/// <summary>A follower answered a heartbeat.</summary>
internal readonly record struct HeartbeatAck;

/// <summary>What a per-follower progress machine needs from the leader.</summary>
internal interface IReplicator
{
    RaftLog Log { get; }

    RaftCoreOptions Options { get; }

    SnapshotMetadata? LatestSnapshot { get; }

    /// <summary>Sends AppendEntries with the entries starting at <paramref name="next"/>; returns the last index sent.</summary>
    long SendAppend(NodeId peer, long next, bool probe);

    void SendSnapshotChunk(NodeId peer, SnapshotMetadata snapshot, long offset, int length);
}
