using Hsm;
using HsmRaft.Core.Progress;
using HsmRaft.Messages;

namespace HsmRaft.Core;

internal sealed partial class RaftMachine
{
    private readonly Dictionary<NodeId, PeerProgress> _progress = [];
    private readonly List<PendingRead> _pendingReads = [];
    private long _nextReadContext = 1;
    private bool _readRoundPending;
    private int _heartbeatElapsed;
    private long _uncommittedBytes;

    private sealed class PendingRead(long requestId, long index, long context)
    {
        public long RequestId { get; } = requestId;
        public long Index { get; } = index;
        public long Context { get; } = context;
        public HashSet<NodeId> Acks { get; } = [];
    }

    internal IReadOnlyDictionary<NodeId, PeerProgress> Progress => _progress;

    /// <summary>A read round waits for the next heartbeat broadcast.</summary>
    internal bool HasPendingLeaderWork => _readRoundPending;

    /// <summary>Leads the cluster: replicates, commits, serves reads, and drives membership changes.</summary>
    internal sealed partial class Leader
    {
        [Entry]
        private void Enter()
        {
            var m = Machine;
            m.Role = RaftRole.Leader;
            m.LeaderId = m.Id;
            m.ElectionElapsed = 0;
            m._heartbeatElapsed = 0;
            m._uncommittedBytes = 0;
            m._progress.Clear();
            m.ResetLease();
            m.SyncProgress();

            // Raft §8: a no-op of the new term, so earlier entries commit through it (Figure 8) and reads can be served.
            m.Log.Append(new LogEntry(m.Log.LastIndex + 1, m.Term, LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty));
        }

        [Exit]
        private void Exit()
        {
            var m = Machine;
            foreach (var read in m._pendingReads)
            {
                m.Complete(read.RequestId, CompletionKind.ReadIndex, 0, new ProposalDroppedException(
                    $"Node {m.Id} lost leadership before confirming the read; retry on the new leader."));
            }

            m._pendingReads.Clear();
            m._readRoundPending = false;
            m._progress.Clear();
            m.FinishPlan(new RaftException(
                $"Node {m.Id} lost leadership during the membership change. A new leader finishes a joint configuration it finds in " +
                "its log; check Status.Configuration and retry the change if it is not in force."));
        }

        [On]
        private EventResult OnTick(in Tick t)
        {
            var m = Machine;
            m.ElectionElapsed++;
            m._leaderTicks++;
            m._heartbeatElapsed++;
            if (m.ElectionElapsed >= m.Options.ElectionTicks)
            {
                m.ElectionElapsed = 0;
                if (m.Options.CheckQuorum && !m.QuorumActive())
                {
                    // Thesis §6.2: a leader cut off from a majority steps down rather than accept writes it cannot commit.
                    m.LeaderId = NodeId.None;
                    return Goto<Follower>();
                }

                foreach (var p in m._progress.Values)
                {
                    p.RecentActive = false;
                }
            }

            if (m._heartbeatElapsed >= m.Options.HeartbeatTicks)
            {
                m._heartbeatElapsed = 0;
                m.BroadcastHeartbeat();
                foreach (var p in m._progress.Values)
                {
                    p.Dispatch(new Pump(Retry: true));
                }
            }

            m.DispatchNext(new LeaderCheck(FromTick: true));
            return Handled;
        }

        [On]
        private void OnFlush(in Flush f)
        {
            var m = Machine;
            if (m._readRoundPending)
            {
                m.BroadcastHeartbeat();
            }

            foreach (var p in m._progress.Values)
            {
                p.Dispatch(new Pump(Retry: false));
            }
        }

        [On]
        private void OnPersisted(in Persisted p) => Machine.MaybeCommit();

        [On]
        private void OnAppendResponse(in AppendEntriesResponse r)
        {
            var m = Machine;
            if (!m._progress.TryGetValue(r.From, out var p))
            {
                return;
            }

            p.RecentActive = true;
            p.Dispatch(new AppendAck(r.Success, r.Index, r.RejectHint, r.ConflictTerm));
            if (r.Success)
            {
                m.MaybeCommit();
            }

            p.Dispatch(new Pump(Retry: false));
        }

        [On]
        private void OnHeartbeatResponse(in HeartbeatResponse r)
        {
            var m = Machine;
            if (!m._progress.TryGetValue(r.From, out var p))
            {
                return;
            }

            p.RecentActive = true;
            p.Dispatch(new HeartbeatAck());
            if (p.Match < m.Log.LastIndex)
            {
                p.Dispatch(new Pump(Retry: false));
            }

            if (r.Context > 0)
            {
                m.RenewLease(p, r.Context);
                m.AcknowledgeReads(r.From, r.Context);
            }
        }

        [On]
        private void OnSnapshotResponse(in InstallSnapshotResponse r)
        {
            var m = Machine;
            if (!m._progress.TryGetValue(r.From, out var p))
            {
                return;
            }

            p.RecentActive = true;
            p.Dispatch(new SnapshotAck(r.SnapshotIndex, r.NextOffset, r.Done, r.Rejected));
            p.Dispatch(new Pump(Retry: false));
        }

        [On]
        private void OnUnreachable(in PeerUnreachable u)
        {
            if (Machine._progress.TryGetValue(u.Peer, out var p))
            {
                p.Dispatch(new AppendAck(false, p.Next - 1, p.Match, 0));
            }
        }

        [On]
        private void OnTransfer(in TransferCommand c) =>
            Machine.Complete(c.RequestId, CompletionKind.LeadershipTransfer, 0, new RaftException(
                $"Node {Machine.Id} is already transferring leadership or has not finished establishing its term; retry shortly."));

        [On]
        private void OnMembership(in MembershipCommand c) =>
            Machine.Complete(c.RequestId, CompletionKind.MembershipChange, 0, new RaftException(
                "A membership change is already in progress; wait for it to finish (see Status.MembershipChangeInProgress) and retry."));
    }

    partial void OnConfigurationChanged() => SyncProgress();

    /// <summary>Keeps one progress machine per other node that receives the log (voters of both halves and learners).</summary>
    private void SyncProgress()
    {
        if (Role != RaftRole.Leader)
        {
            return;
        }

        var wanted = Config.AllNodes().Where(n => n != Id).ToHashSet();
        foreach (var gone in _progress.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            _progress.Remove(gone);
        }

        foreach (var node in wanted)
        {
            if (!_progress.ContainsKey(node))
            {
                _progress[node] = new PeerProgress(this, node, Log.LastIndex + 1) { RecentActive = true };
            }
        }
    }

    private long MatchOf(NodeId node) =>
        node == Id ? Log.PersistedIndex : _progress.TryGetValue(node, out var p) ? p.Match : 0;

    /// <summary>Raft §5.3–5.4.2: commit the highest index stored on a majority, but only by counting replicas of an entry of the
    /// current term (Figure 8); earlier entries commit with it.</summary>
    private void MaybeCommit()
    {
        var index = Quorum.CommittedIndex(Config, MatchOf);
        if (index <= Log.Committed || index == long.MaxValue || Log.Term(index) != Term)
        {
            return;
        }

        for (var i = Log.Committed + 1; i <= index; i++)
        {
            var e = Log.Entry(i);
            if (e.Term == Term && e.Kind == LogEntryKind.Command)
            {
                _uncommittedBytes = Math.Max(0, _uncommittedBytes - e.SizeInBytes);
            }
        }

        Log.CommitTo(index);
        DispatchNext(new LeaderCheck(FromTick: false));
    }

    private bool QuorumActive() => Quorum.IsQuorum(Config, n => n == Id || (_progress.TryGetValue(n, out var p) && p.RecentActive));

    private void BroadcastHeartbeat()
    {
        // Every round is numbered: the answers confirm pending reads and time the lease.
        var context = _nextReadContext++;
        _readRoundPending = false;
        RecordHeartbeatRound(context);

        foreach (var p in _progress.Values)
        {
            Transmit(new Heartbeat { From = Id, To = p.Peer, Term = Term, Commit = Math.Min(Log.Committed, p.Match), Context = context });
        }
    }

    /// <summary>Appends a client command (leader only).</summary>
    private void AppendCommand(ProposeCommand c)
    {
        var entry = new LogEntry(Log.LastIndex + 1, Term, LogEntryKind.Command, c.Data);
        if (_uncommittedBytes + entry.SizeInBytes > Options.MaxUncommittedBytes && _uncommittedBytes > 0)
        {
            c.Error = new RaftOverloadedException(
                $"Node {Id} has {_uncommittedBytes} bytes proposed but not yet committed (limit MaxUncommittedBytes = {Options.MaxUncommittedBytes}); " +
                "slow down or raise the limit.");
            return;
        }

        _uncommittedBytes += entry.SizeInBytes;
        Log.Append(entry);
        c.Ticket = new ProposalTicket(entry.Index, Term);
    }

    /// <summary>ReadIndex (thesis §6.4): remember the commit index, confirm leadership with a heartbeat round, then answer.</summary>
    private void StartRead(long requestId)
    {
        var voters = Config.Voters.Concat(Config.OutgoingVoters).Distinct().Count(v => v != Id);

        // Without a lease (see RaftMachine.Leader.Lease.cs), confirm leadership with a heartbeat round instead.
        if (voters == 0 || (Options.LeaseReads && LeaseHolds()))
        {
            Complete(requestId, CompletionKind.ReadIndex, Log.Committed, null);
            return;
        }

        _pendingReads.Add(new PendingRead(requestId, Log.Committed, _nextReadContext));
        _readRoundPending = true;
    }

    private void AcknowledgeReads(NodeId from, long context)
    {
        var confirmedUpTo = -1;
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var read = _pendingReads[i];
            if (read.Context > context)
            {
                break;
            }

            read.Acks.Add(from);
            if (Quorum.IsQuorum(Config, n => n == Id || read.Acks.Contains(n)))
            {
                confirmedUpTo = i;
            }
        }

        // A confirmed round also confirms every earlier one.
        for (var i = 0; i <= confirmedUpTo; i++)
        {
            Complete(_pendingReads[i].RequestId, CompletionKind.ReadIndex, _pendingReads[i].Index, null);
        }

        if (confirmedUpTo >= 0)
        {
            _pendingReads.RemoveRange(0, confirmedUpTo + 1);
        }
    }

    /// <summary>Appends a configuration entry; it takes effect at once (thesis §4.1).</summary>
    private long AppendConfiguration(ClusterConfiguration configuration)
    {
        var entry = new LogEntry(Log.LastIndex + 1, Term, LogEntryKind.Configuration, configuration.Encode());
        Log.Append(entry);
        Config = configuration;
        ConfigIndex = entry.Index;
        SyncProgress();
        return entry.Index;
    }
}
