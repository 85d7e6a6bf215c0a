namespace HsmRaft.Messages;

/// <summary>A request for a vote (Raft §5.2), or for a pre-vote (thesis §9.6) when <see cref="PreVote"/> is set.</summary>
public sealed class RequestVote : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.RequestVote;

    /// <summary>True for a pre-vote: the receiver answers as if the term were <see cref="RaftMessage.Term"/> but changes no state.</summary>
    public bool PreVote { get; init; }

    /// <summary>Index of the candidate's last log entry.</summary>
    public long LastLogIndex { get; init; }

    /// <summary>Term of the candidate's last log entry.</summary>
    public long LastLogTerm { get; init; }

    /// <summary>True when the campaign follows a leadership transfer (TimeoutNow): voters ignore their leader lease.</summary>
    public bool LeadershipTransfer { get; init; }

    /// <inheritdoc />
    public override string ToString() => base.ToString() + (PreVote ? " pre" : "") + $" last={LastLogIndex}@{LastLogTerm}";
}

/// <summary>The answer to a <see cref="RequestVote"/>.</summary>
public sealed class RequestVoteResponse : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.RequestVoteResponse;

    /// <summary>True when answering a pre-vote.</summary>
    public bool PreVote { get; init; }

    /// <summary>True when the vote (or pre-vote) was granted.</summary>
    public bool Granted { get; init; }

    /// <inheritdoc />
    public override string ToString() => base.ToString() + (PreVote ? " pre" : "") + (Granted ? " granted" : " rejected");
}

/// <summary>Tells the target of a leadership transfer to start an election at once (thesis §3.10).</summary>
public sealed class TimeoutNow : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.TimeoutNow;
}
