namespace HsmRaft.Messages;

/// <summary>One chunk of a snapshot streamed from the leader to a follower whose log is behind the leader's
/// first entry (Raft §7). Chunks are sent in order; the follower reports the next offset it expects.</summary>
public sealed class InstallSnapshot : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.InstallSnapshot;

    /// <summary>The snapshot being streamed (its index, term, configuration and total size).</summary>
    public required SnapshotMetadata Metadata { get; init; }

    /// <summary>Byte offset of <see cref="Data"/> in the snapshot.</summary>
    public long Offset { get; init; }

    /// <summary>The chunk's bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>True for the last chunk.</summary>
    public bool Done { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        base.ToString() + $" snap={Metadata.LastIncludedIndex}@{Metadata.LastIncludedTerm} off={Offset} len={Data.Length}" + (Done ? " done" : "");
}

/// <summary>The answer to an <see cref="InstallSnapshot"/> chunk.</summary>
public sealed class InstallSnapshotResponse : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.InstallSnapshotResponse;

    /// <summary>The snapshot's last included index, identifying the stream.</summary>
    public long SnapshotIndex { get; init; }

    /// <summary>The offset the follower expects next (resume point after a lost chunk).</summary>
    public long NextOffset { get; init; }

    /// <summary>True once the whole snapshot is durable and installed.</summary>
    public bool Done { get; init; }

    /// <summary>True when the follower refuses the stream (e.g. it already has a newer snapshot); the leader probes its log instead.</summary>
    public bool Rejected { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        base.ToString() + $" snap={SnapshotIndex} next={NextOffset}" + (Done ? " done" : "") + (Rejected ? " rejected" : "");
}
