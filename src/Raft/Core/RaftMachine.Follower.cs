using Hsm;
using HsmRaft.Messages;

namespace HsmRaft.Core;

internal sealed partial class RaftMachine
{
    /// <summary>Follows a leader's log; campaigns when the leader goes quiet for a randomized election timeout (Raft §5.2).</summary>
    [Initial]
    internal sealed partial class Follower
    {
        [Entry]
        private void Enter()
        {
            Machine.Role = RaftRole.Follower;
            Machine.ResetElectionTimer();
        }

        [On]
        private EventResult OnTick(in Tick t)
        {
            var m = Machine;
            m.ElectionElapsed++;
            if (!m.ElectionTimedOut || !m.IsPromotable)
            {
                return Handled;
            }

            return m.Options.PreVote ? Goto<Campaign.PreCandidate>() : Goto<Campaign.Candidate>();
        }

        [On]
        private void OnHeartbeat(in Heartbeat h)
        {
            var m = Machine;
            m.HeardFromLeader(h.From);

            // The leader never sends a commit index past what it knows we hold.
            m.Log.CommitTo(Math.Min(h.Commit, m.Log.LastIndex));
            m.Transmit(new HeartbeatResponse { From = m.Id, To = h.From, Term = m.Term, Context = h.Context });
        }

        /// <summary>Thesis §3.10: the leader asks us to start an election at once to hand leadership over.</summary>
        [On]
        private EventResult OnTimeoutNow(in TimeoutNow t)
        {
            if (!Machine.IsPromotable)
            {
                return Handled;
            }

            Machine._campaignIsTransfer = true;
            return Goto<Campaign.Candidate>();
        }

        /// <summary>Accepts entries when the log-matching check passes (Raft §5.3).</summary>
        [Initial]
        internal sealed partial class Following
        {
            [On]
            private void OnAppend(in AppendEntries a) => Machine.HandleAppend(a);

            [On]
            private EventResult OnSnapshotChunk(in InstallSnapshot s)
            {
                var m = Machine;
                m.HeardFromLeader(s.From);
                if (!m.BeginSnapshot(s))
                {
                    return Handled;
                }

                return Goto<InstallingSnapshot>();
            }
        }

        /// <summary>Receives a snapshot in chunks; leaving this state before it completes abandons the partial snapshot.</summary>
        internal sealed partial class InstallingSnapshot
        {
            private SnapshotMetadata? _snapshot;
            private long _expectedOffset;
            private bool _installing;

            [Entry]
            private void Enter()
            {
                _snapshot = Machine._incomingSnapshot;
                _expectedOffset = Machine._incomingSnapshotOffset;
                _installing = Machine._incomingSnapshotDone;
            }

            [Exit]
            private void Exit()
            {
                if (!_installing && _snapshot is not null)
                {
                    Machine.Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Abort, _snapshot, default));
                }

                _snapshot = null;
            }

            [On]
            private EventResult OnSnapshotChunk(in InstallSnapshot s)
            {
                var m = Machine;
                m.HeardFromLeader(s.From);
                var current = _snapshot!;
                if (s.Metadata.LastIncludedIndex != current.LastIncludedIndex || s.Metadata.LastIncludedTerm != current.LastIncludedTerm)
                {
                    if (s.Offset != 0 || s.Metadata.LastIncludedIndex < current.LastIncludedIndex)
                    {
                        // The answer is about the chunk's snapshot, of which we hold nothing: ask for it from offset 0. (Our
                        // offset in the stream we are receiving would tell the leader it already delivered that much of it.)
                        m.AckSnapshot(s, 0, done: false, rejected: s.Metadata.LastIncludedIndex < current.LastIncludedIndex);
                        return Handled;
                    }

                    // The leader started a newer snapshot: drop ours and start over in this state.
                    if (!_installing)
                    {
                        m.Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Abort, current, default));
                    }

                    _snapshot = null;
                    return m.BeginSnapshot(s) ? Goto<InstallingSnapshot>() : Goto<Following>();
                }

                if (_installing || s.Offset != _expectedOffset)
                {
                    // Duplicate or out of order (a chunk was lost): tell the leader where to resume.
                    m.AckSnapshot(s, _expectedOffset, done: false, rejected: false);
                    return Handled;
                }

                m.Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Write, current, s.Data));
                _expectedOffset += s.Data.Length;
                if (s.Done)
                {
                    _installing = true;
                    m.Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Install, current, default));
                    return Handled;
                }

                m.AckSnapshot(s, _expectedOffset, done: false, rejected: false);
                return Handled;
            }

            [On]
            private EventResult OnInstalled(in SnapshotInstalledEvent e)
            {
                var m = Machine;
                var current = _snapshot;
                if (current is null || e.Snapshot.LastIncludedIndex != current.LastIncludedIndex)
                {
                    return Unhandled;
                }

                m.InstallSnapshotState(current);
                m.TransmitAfterPersist(new InstallSnapshotResponse
                {
                    From = m.Id,
                    To = m.LeaderId,
                    Term = m.Term,
                    SnapshotIndex = current.LastIncludedIndex,
                    NextOffset = current.Size,
                    Done = true,
                });
                _snapshot = null;
                return Goto<Following>();
            }

            [On]
            private EventResult OnAppend(in AppendEntries a)
            {
                // The leader went back to replicating entries: it no longer needs the snapshot.
                if (_installing)
                {
                    return Handled;
                }

                Machine.DispatchNext(a);
                return Goto<Following>();
            }
        }
    }

    private bool _campaignIsTransfer;
    private SnapshotMetadata? _incomingSnapshot;
    private long _incomingSnapshotOffset;
    private bool _incomingSnapshotDone;

    private void HeardFromLeader(NodeId leader)
    {
        LeaderId = leader;
        ElectionElapsed = 0;
    }

    /// <summary>Raft §5.3: append after the log-matching check, answering only once the entries are durable.</summary>
    private void HandleAppend(AppendEntries a)
    {
        HeardFromLeader(a.From);
        var prevIndex = a.PrevLogIndex;
        var prevTerm = a.PrevLogTerm;
        IReadOnlyList<LogEntry> entries = a.Entries;
        if (prevIndex < Log.Committed)
        {
            // Entries up to our commit index are settled and match the leader's (Log Matching): keep only what follows it,
            // so a message overlapping the commit index still delivers its new entries.
            var skip = (int)Math.Min(Log.Committed - prevIndex, entries.Count);
            if (skip == entries.Count)
            {
                TransmitAfterPersist(new AppendEntriesResponse { From = Id, To = a.From, Term = Term, Success = true, Index = Log.Committed });
                return;
            }

            entries = entries.Skip(skip).ToList();
            prevIndex = Log.Committed;
            prevTerm = Log.Term(prevIndex);
        }

        if (!Log.MatchTerm(prevIndex, prevTerm))
        {
            var (hintIndex, hintTerm) = Log.FindConflictByTerm(Math.Min(a.PrevLogIndex, Log.LastIndex), a.PrevLogTerm);
            Transmit(new AppendEntriesResponse
            {
                From = Id,
                To = a.From,
                Term = Term,
                Success = false,
                Index = a.PrevLogIndex,
                RejectHint = hintIndex,
                ConflictTerm = Math.Max(hintTerm, 0),
            });
            return;
        }

        var last = Log.AppendFromLeader(prevIndex, entries, out var truncated);
        if (last < 0)
        {
            throw new InvalidOperationException(
                $"Node {Id}: the leader {a.From} sent entries conflicting with committed entries at or below index {Log.Committed}. " +
                "This breaks Raft's safety and means a node lost durable data (e.g. fsync disabled) or logs were copied between clusters.");
        }

        if (truncated || HasConfigurationEntry(entries))
        {
            RecomputeConfiguration();
        }

        Log.CommitTo(Math.Min(a.LeaderCommit, last));
        TransmitAfterPersist(new AppendEntriesResponse { From = Id, To = a.From, Term = Term, Success = true, Index = last });
    }

    private static bool HasConfigurationEntry(IReadOnlyList<LogEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Kind == LogEntryKind.Configuration)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts receiving a snapshot from its first chunk; false when it is not needed or not a first chunk.</summary>
    private bool BeginSnapshot(InstallSnapshot s)
    {
        var meta = s.Metadata;
        if (meta.LastIncludedIndex <= Log.Committed || Log.MatchTerm(meta.LastIncludedIndex, meta.LastIncludedTerm))
        {
            // Our log already holds everything the snapshot covers: the leader can continue with entries.
            if (Log.MatchTerm(meta.LastIncludedIndex, meta.LastIncludedTerm))
            {
                Log.CommitTo(meta.LastIncludedIndex);
            }

            AckSnapshot(s, 0, done: false, rejected: true);
            return false;
        }

        if (s.Offset != 0)
        {
            AckSnapshot(s, 0, done: false, rejected: false);
            return false;
        }

        _incomingSnapshot = meta;
        _incomingSnapshotOffset = s.Data.Length;
        _incomingSnapshotDone = s.Done;
        Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Begin, meta, s.Data));
        if (s.Done)
        {
            Out.SnapshotReceives.Add(new SnapshotReceive(SnapshotReceiveKind.Install, meta, default));
        }
        else
        {
            AckSnapshot(s, _incomingSnapshotOffset, done: false, rejected: false);
        }

        return true;
    }

    private void AckSnapshot(InstallSnapshot s, long nextOffset, bool done, bool rejected) =>
        Transmit(new InstallSnapshotResponse
        {
            From = Id,
            To = s.From,
            Term = Term,
            SnapshotIndex = s.Metadata.LastIncludedIndex,
            NextOffset = nextOffset,
            Done = done,
            Rejected = rejected,
        });
}
