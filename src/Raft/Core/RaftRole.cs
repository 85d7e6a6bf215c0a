namespace HsmRaft.Core;

/// <summary>A node's role, as reported in <see cref="RaftStatus"/>.</summary>
public enum RaftRole
{
    /// <summary>Accepts the leader's log; campaigns when the leader goes quiet (if it is a voter).</summary>
    Follower,

    /// <summary>Asking whether it could win an election, without changing its term.</summary>
    PreCandidate,

    /// <summary>Campaigning in a new term.</summary>
    Candidate,

    /// <summary>Leading the cluster.</summary>
    Leader,
}

/// <summary>A snapshot of a node's state for monitoring.</summary>
/// <param name="Id">The node.</param>
/// <param name="Role">Its role.</param>
/// <param name="Term">Its current term.</param>
/// <param name="LeaderId">The leader it knows, or none.</param>
/// <param name="CommitIndex">Highest index known committed.</param>
/// <param name="AppliedIndex">Highest index applied to the state machine.</param>
/// <param name="LastLogIndex">Index of its last log entry.</param>
/// <param name="SnapshotIndex">Index covered by its latest snapshot.</param>
/// <param name="Configuration">The configuration in force.</param>
/// <param name="MembershipChangeInProgress">True while a leader is carrying out a membership change.</param>
public sealed record RaftStatus(
    NodeId Id,
    RaftRole Role,
    long Term,
    NodeId LeaderId,
    long CommitIndex,
    long AppliedIndex,
    long LastLogIndex,
    long SnapshotIndex,
    ClusterConfiguration Configuration,
    bool MembershipChangeInProgress);

/// <summary>Result of <see cref="RaftCore.Propose"/>: where the command will sit if it commits.</summary>
/// <param name="Index">The log index assigned to the command.</param>
/// <param name="Term">The term it was proposed in; if the applied entry at <paramref name="Index"/> has another term, the command was lost.</param>
public readonly record struct ProposalTicket(long Index, long Term);

/// <summary>A membership change: any combination of voters and learners to add, remove, promote or demote, carried out by joint
/// consensus in one call.</summary>
public sealed class MembershipChange
{
    /// <summary>New nodes to add as voters (they first catch up as learners).</summary>
    public List<ClusterMember> AddVoters { get; init; } = [];

    /// <summary>New nodes to add as learners.</summary>
    public List<ClusterMember> AddLearners { get; init; } = [];

    /// <summary>Members to remove entirely (voters or learners).</summary>
    public List<NodeId> Remove { get; init; } = [];

    /// <summary>Learners to make voters.</summary>
    public List<NodeId> Promote { get; init; } = [];

    /// <summary>Voters to make learners.</summary>
    public List<NodeId> Demote { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        $"add voters [{string.Join(",", AddVoters.Select(m => m.Id))}] add learners [{string.Join(",", AddLearners.Select(m => m.Id))}] " +
        $"remove [{string.Join(",", Remove)}] promote [{string.Join(",", Promote)}] demote [{string.Join(",", Demote)}]";
}
