using HsmRaft.Messages;

namespace HsmRaft.Core;

/// <summary>What to do with a message given its term (Raft §5.1, thesis §4.2.3 and §9.6).</summary>
internal enum TermVerdict
{
    /// <summary>Same term (or a pre-vote exchange that does not change terms): let the current role handle it.</summary>
    Process,

    /// <summary>Newer term: become a follower of that term, then let the follower handle the message.</summary>
    StepDownThenProcess,

    /// <summary>Drop it.</summary>
    Ignore,

    /// <summary>From a stale leader or pre-candidate: answer with our term so it steps down, and drop it.</summary>
    RejectStale,
}

/// <summary>The term rules every role shares. They decide whether a message reaches the role machine at all; they never look at
/// the role, only at terms and whether this node currently hears from a leader.</summary>
internal static class TermRules
{
    public static TermVerdict Classify(RaftMessage m, long term, bool inLease)
    {
        if (m.Term > term)
        {
            switch (m)
            {
                case RequestVote rv when inLease && !rv.LeadershipTransfer:
                    // We hear from a live leader: a node that wants an election is disrupted or removed (thesis §4.2.3).
                    return TermVerdict.Ignore;
                case RequestVote { PreVote: true }:
                    return TermVerdict.Process;
                case RequestVoteResponse { PreVote: true, Granted: true }:
                    // A granted pre-vote carries the term we would campaign in; it is not a newer leader's term.
                    return TermVerdict.Process;
                default:
                    return TermVerdict.StepDownThenProcess;
            }
        }

        if (m.Term < term)
        {
            return m is AppendEntries or Heartbeat or InstallSnapshot or RequestVote { PreVote: true }
                ? TermVerdict.RejectStale
                : TermVerdict.Ignore;
        }

        return TermVerdict.Process;
    }

    /// <summary>The leader a newer-term message reveals, if it comes from one.</summary>
    public static NodeId LeaderOf(RaftMessage m) =>
        m is AppendEntries or Heartbeat or InstallSnapshot or TimeoutNow ? m.From : NodeId.None;
}
