namespace HsmRaft.Messages;

/// <summary>The kinds of message Raft nodes exchange. Values are part of the wire format: never renumber.</summary>
public enum RaftMessageType : byte
{
    /// <summary><see cref="Messages.RequestVote"/>.</summary>
    RequestVote = 1,

    /// <summary><see cref="Messages.RequestVoteResponse"/>.</summary>
    RequestVoteResponse = 2,

    /// <summary><see cref="Messages.AppendEntries"/>.</summary>
    AppendEntries = 3,

    /// <summary><see cref="Messages.AppendEntriesResponse"/>.</summary>
    AppendEntriesResponse = 4,

    /// <summary><see cref="Messages.Heartbeat"/>.</summary>
    Heartbeat = 5,

    /// <summary><see cref="Messages.HeartbeatResponse"/>.</summary>
    HeartbeatResponse = 6,

    /// <summary><see cref="Messages.InstallSnapshot"/>.</summary>
    InstallSnapshot = 7,

    /// <summary><see cref="Messages.InstallSnapshotResponse"/>.</summary>
    InstallSnapshotResponse = 8,

    /// <summary><see cref="Messages.TimeoutNow"/>.</summary>
    TimeoutNow = 9,
}

/// <summary>
/// A message between two Raft nodes. Every message carries its sender, its addressee and the sender's term;
/// the cluster id and wire version travel in the transport's frame header.
/// </summary>
public abstract class RaftMessage
{
    /// <summary>The sending node.</summary>
    public NodeId From { get; init; }

    /// <summary>The receiving node.</summary>
    public NodeId To { get; init; }

    /// <summary>The sender's current term (for pre-vote requests: the term it would campaign in).</summary>
    public long Term { get; init; }

    /// <summary>The message's kind, used by serializers.</summary>
    public abstract RaftMessageType Type { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Type} {From}->{To} t{Term}";
}
