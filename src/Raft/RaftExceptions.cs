namespace HsmRaft;

/// <summary>Base class of the errors Raft reports to callers.</summary>
public class RaftException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RaftException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>The request must be sent to the leader. <see cref="LeaderId"/> and <see cref="LeaderAddress"/> name it when known.</summary>
public sealed class NotLeaderException : RaftException
{
    /// <summary>Creates the exception.</summary>
    public NotLeaderException(NodeId self, NodeId leaderId, string? leaderAddress)
        : base(leaderId.IsNone
            ? $"Node {self} is not the leader and no leader is known yet (an election may be in progress); retry shortly."
            : $"Node {self} is not the leader; send the request to the leader, node {leaderId}" + (leaderAddress is null ? "." : $" at {leaderAddress}."))
    {
        LeaderId = leaderId;
        LeaderAddress = leaderAddress;
    }

    /// <summary>The known leader, or <see cref="NodeId.None"/>.</summary>
    public NodeId LeaderId { get; }

    /// <summary>The known leader's address, when known.</summary>
    public string? LeaderAddress { get; }
}

/// <summary>The proposal was not committed (leadership lost before commit, or the node stopped). It may or may not
/// take effect later if another leader commits it; make commands idempotent to retry safely.</summary>
public sealed class ProposalDroppedException : RaftException
{
    /// <summary>Creates the exception.</summary>
    public ProposalDroppedException(string message) : base(message)
    {
    }
}

/// <summary>The leader refused new work because too many bytes are proposed but not yet committed (backpressure).</summary>
public sealed class RaftOverloadedException : RaftException
{
    /// <summary>Creates the exception.</summary>
    public RaftOverloadedException(string message) : base(message)
    {
    }
}
