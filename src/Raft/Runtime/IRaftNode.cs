using HsmRaft.Core;

namespace HsmRaft.Runtime;

/// <summary>A running Raft node: what applications call.</summary>
public interface IRaftNode
{
    /// <summary>This node's id.</summary>
    NodeId Id { get; }

    /// <summary>The node's current state (role, term, leader, commit and applied indexes, membership).</summary>
    RaftStatus Status { get; }

    /// <summary>Every change of role, term, leader or membership, as it happens.</summary>
    IObservable<RaftStatus> StatusChanges { get; }

    /// <summary>Why the node stopped itself (for example a failed fsync, or a state machine that could not apply or restore),
    /// or null while it runs normally. Once set, every request fails with this error and <see cref="Status"/> reports a
    /// follower that knows no leader.</summary>
    Exception? Failure => null;

    /// <summary>
    /// Replicates <paramref name="command"/> and returns the state machine's result of applying it, once it is committed
    /// (durable on a majority) and applied on this node. Must be called on the leader. The bytes are copied, so the caller may
    /// reuse its buffer at once.
    /// </summary>
    /// <exception cref="NotLeaderException">This node is not the leader; the exception names the leader when known.</exception>
    /// <exception cref="ProposalDroppedException">Leadership was lost before the command committed, or the node stopped.</exception>
    /// <exception cref="RaftOverloadedException">Too much data is waiting to commit.</exception>
    ValueTask<object?> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default);

    /// <summary>Waits until this node's state machine reflects every write committed before the call (a linearizable read barrier,
    /// thesis §6.4). Read the state machine after it completes. Must be called on the leader.</summary>
    ValueTask ReadBarrierAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds, removes, promotes and demotes voters and learners in one step by joint consensus; completes when the final
    /// configuration is committed.</summary>
    Task ChangeMembershipAsync(MembershipChange change, CancellationToken cancellationToken = default);

    /// <summary>Hands leadership to <paramref name="target"/> (thesis §3.10); <see cref="NodeId.None"/> picks the most up-to-date voter
    /// that answered recently.</summary>
    Task TransferLeadershipAsync(NodeId target, CancellationToken cancellationToken = default);
}
