namespace HsmRaft;

/// <summary>
/// The state a node must persist before it answers any message (Raft Figure 2: currentTerm, votedFor),
/// plus the commit index, which lets a restarted node re-apply without waiting for a leader.
/// </summary>
/// <param name="Term">The latest term this node has seen.</param>
/// <param name="VotedFor">The candidate that received this node's vote in <paramref name="Term"/>, or <see cref="NodeId.None"/>.</param>
/// <param name="Commit">The highest log index known to be committed.</param>
public readonly record struct HardState(long Term, NodeId VotedFor, long Commit)
{
    /// <summary>The state of a node that has never run.</summary>
    public static HardState Empty => default;
}
