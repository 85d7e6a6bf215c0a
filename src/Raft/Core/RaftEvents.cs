namespace HsmRaft.Core;

/// <summary>One tick of logical time.</summary>
internal readonly record struct Tick;

/// <summary>A message with a higher term arrived: adopt the term and follow (Raft §5.1). Dispatched before the message itself.</summary>
internal readonly record struct StepDown(long Term, NodeId Leader);

/// <summary>The runtime is collecting a <see cref="Ready"/>: the leader sends what accumulated (batching).</summary>
internal readonly record struct Flush;

/// <summary>The runtime made a <see cref="Ready"/> durable.</summary>
internal readonly record struct Persisted;

/// <summary>Something the leader's regions may react to changed: commit advanced, a follower caught up, or a tick passed.</summary>
internal readonly record struct LeaderCheck(bool FromTick);

/// <summary>The runtime finished installing a received snapshot.</summary>
internal readonly record struct SnapshotInstalledEvent(SnapshotMetadata Snapshot);

/// <summary>The transport reports a peer unreachable.</summary>
internal readonly record struct PeerUnreachable(NodeId Peer);

/// <summary>A client command to append (result written back by the handler).</summary>
internal sealed class ProposeCommand
{
    public ReadOnlyMemory<byte> Data { get; set; }

    public ProposalTicket Ticket { get; set; }

    public RaftException? Error { get; set; }
}

/// <summary>A linearizable read request; answered through <see cref="Ready.Completions"/>.</summary>
internal readonly record struct ReadCommand(long RequestId);

/// <summary>A leadership transfer request; answered through <see cref="Ready.Completions"/>.</summary>
internal readonly record struct TransferCommand(long RequestId, NodeId Target);

/// <summary>A membership change request; answered through <see cref="Ready.Completions"/>.</summary>
internal readonly record struct MembershipCommand(long RequestId, MembershipChange Change);
