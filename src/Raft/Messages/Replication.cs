namespace HsmRaft.Messages;

/// <summary>Replicates log entries (Raft §5.3). Followers check that their log holds
/// <see cref="PrevLogIndex"/> at <see cref="PrevLogTerm"/> before appending.</summary>
public sealed class AppendEntries : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.AppendEntries;

    /// <summary>Index of the entry immediately preceding <see cref="Entries"/>.</summary>
    public long PrevLogIndex { get; init; }

    /// <summary>Term of the entry at <see cref="PrevLogIndex"/>.</summary>
    public long PrevLogTerm { get; init; }

    /// <summary>The leader's commit index.</summary>
    public long LeaderCommit { get; init; }

    /// <summary>Entries to append, contiguous from <see cref="PrevLogIndex"/> + 1; empty for a probe.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        base.ToString() + $" prev={PrevLogIndex}@{PrevLogTerm} n={Entries.Count} commit={LeaderCommit}";
}

/// <summary>The answer to an <see cref="AppendEntries"/>, sent only after the appended entries are durable.</summary>
public sealed class AppendEntriesResponse : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.AppendEntriesResponse;

    /// <summary>True when the entries were appended (the log-matching check passed).</summary>
    public bool Success { get; init; }

    /// <summary>On success, the index of the last entry now known to match the leader (the follower's match index).
    /// On rejection, the <see cref="AppendEntries.PrevLogIndex"/> that was rejected.</summary>
    public long Index { get; init; }

    /// <summary>On rejection: a hint for the leader's next probe — the follower's last index, or the first index of
    /// <see cref="ConflictTerm"/> in the follower's log (fast back-off, Raft §5.3 "optimization").</summary>
    public long RejectHint { get; init; }

    /// <summary>On rejection: the term of the follower's entry at <see cref="RejectHint"/>, or 0.</summary>
    public long ConflictTerm { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        base.ToString() + (Success ? $" ok index={Index}" : $" reject index={Index} hint={RejectHint}@{ConflictTerm}");
}

/// <summary>A leader's heartbeat: asserts leadership, advances the follower's commit index, and (through <see cref="Context"/>)
/// confirms leadership for ReadIndex and times the leader lease.</summary>
public sealed class Heartbeat : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.Heartbeat;

    /// <summary>min(leader commit, follower's match index): never past what the follower is known to hold.</summary>
    public long Commit { get; init; }

    /// <summary>The number of this heartbeat round, echoed in the response (0 from senders that do not number rounds). An answer
    /// confirms every ReadIndex request registered before the round, and renews the lease from the moment the round was sent.</summary>
    public long Context { get; init; }

    /// <inheritdoc />
    public override string ToString() => base.ToString() + $" commit={Commit} ctx={Context}";
}

/// <summary>The answer to a <see cref="Heartbeat"/>.</summary>
public sealed class HeartbeatResponse : RaftMessage
{
    /// <inheritdoc />
    public override RaftMessageType Type => RaftMessageType.HeartbeatResponse;

    /// <summary>The <see cref="Heartbeat.Context"/> being answered.</summary>
    public long Context { get; init; }

    /// <inheritdoc />
    public override string ToString() => base.ToString() + $" ctx={Context}";
}
