using Hsm;

namespace HsmRaft.Core.Progress;

/// <summary>
/// The leader's view of one follower, as a small state machine (etcd's progress states):
/// <b>Probe</b> sends one message at a time until the follower's log position is found; <b>Replicate</b> streams batches with up to
/// <see cref="RaftCoreOptions.MaxInflightMessages"/> in flight; <b>Snapshotting</b> streams a snapshot in chunks when the entries the
/// follower needs were compacted away.
/// </summary>
[StateMachine(QueueCapacity = 4)]
internal sealed partial class PeerProgress
{
    private readonly IReplicator _replicator;

    public PeerProgress(IReplicator replicator, NodeId peer, long next)
    {
        _replicator = replicator;
        Peer = peer;
        Next = next;
        Inflights = new Inflights(replicator.Options.MaxInflightMessages);
        Start();
    }

    public NodeId Peer { get; }

    /// <summary>Highest index known to match the leader's log on the follower.</summary>
    public long Match { get; private set; }

    /// <summary>Next index to send.</summary>
    public long Next { get; private set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>Leader tick at which the latest heartbeat round this follower answered was sent (for the leader lease).</summary>
    public long LeaseTick { get; set; } = long.MinValue;

    public Inflights Inflights { get; }

    private RaftLog Log => _replicator.Log;

    private bool NeedsSnapshot => Next <= Log.SnapshotIndex;

    private void OnSuccess(long index)
    {
        if (index > Match)
        {
            Match = index;
        }

        if (Next < index + 1)
        {
            Next = index + 1;
        }
    }

    /// <summary>Fast back-off: jump to the follower's hint (or the leader's last entry of the hinted term) in one step.</summary>
    private void OnReject(in AppendAck a)
    {
        var probe = a.RejectHint;
        if (a.ConflictTerm > 0)
        {
            probe = Log.FindConflictByTerm(a.RejectHint, a.ConflictTerm).Index;
        }

        Next = Math.Max(Math.Min(a.Index, probe + 1), Match + 1);
    }

    [Initial]
    internal sealed partial class Probe
    {
        private bool _sent;

        [Entry]
        private void Enter() => _sent = false;

        [On]
        private EventResult OnPump(in Pump p)
        {
            var m = Machine;
            if (m.NeedsSnapshot)
            {
                // Let Snapshotting handle this same pump: otherwise the first chunks wait for the next heartbeat.
                m.DispatchNext(p);
                return Goto<Snapshotting>();
            }

            if (!_sent || p.Retry)
            {
                m.Next = m._replicator.SendAppend(m.Peer, m.Next, probe: true) + 1;
                _sent = true;
            }

            return Handled;
        }

        [On]
        private EventResult OnAck(in AppendAck a)
        {
            var m = Machine;
            if (a.Success)
            {
                m.OnSuccess(a.Index);
                return Goto<Replicate>();
            }

            // Only the answer to the probe in flight moves Next; older rejections are stale.
            if (a.Index < m.Match || a.Index >= m.Next)
            {
                return Handled;
            }

            m.OnReject(a);
            _sent = false;
            return Handled;
        }

        [On]
        private void OnHeartbeat(in HeartbeatAck h) => _sent = false;
    }

    internal sealed partial class Replicate
    {
        private long _matchAtLastHeartbeat;
        private int _stalledHeartbeats;

        [Entry]
        private void Enter()
        {
            Machine.Inflights.Reset();
            _stalledHeartbeats = 0;
            _matchAtLastHeartbeat = Machine.Match;
        }

        /// <summary>
        /// Entries sent but no progress for two heartbeat rounds while the follower answers heartbeats: an AppendEntries was
        /// lost (or the follower restarted and forgot unsynced entries). Probe again from the last known match.
        /// </summary>
        [On]
        private EventResult OnHeartbeat(in HeartbeatAck h)
        {
            var m = Machine;
            // Something was sent beyond the match point (tracked in flight or not) and nothing moved since the last heartbeat.
            if (m.Next <= m.Match + 1 || m.Match != _matchAtLastHeartbeat)
            {
                _stalledHeartbeats = 0;
                _matchAtLastHeartbeat = m.Match;
                return Handled;
            }

            if (++_stalledHeartbeats < 2)
            {
                return Handled;
            }

            m.Next = m.Match + 1;
            return Goto<Probe>();
        }

        [On]
        private EventResult OnPump(in Pump p)
        {
            var m = Machine;
            if (m.NeedsSnapshot)
            {
                // Let Snapshotting handle this same pump: otherwise the first chunks wait for the next heartbeat.
                m.DispatchNext(p);
                return Goto<Snapshotting>();
            }

            while (!m.Inflights.IsFull && m.Next <= m.Log.LastIndex)
            {
                var last = m._replicator.SendAppend(m.Peer, m.Next, probe: false);
                m.Inflights.Add(last);
                m.Next = last + 1;
            }

            return Handled;
        }

        [On]
        private EventResult OnAck(in AppendAck a)
        {
            var m = Machine;
            if (a.Success)
            {
                m.OnSuccess(a.Index);
                m.Inflights.FreeUpTo(a.Index);
                return Handled;
            }

            if (a.Index <= m.Match)
            {
                return Handled;
            }

            // The follower's log diverged from what we assumed (e.g. it restarted): find the match point again.
            m.OnReject(a);
            return Goto<Probe>();
        }
    }

    internal sealed partial class Snapshotting
    {
        private SnapshotMetadata? _snapshot;
        private long _sent;
        private long _acked;
        private long _ackedAtLastRetry;

        [Entry]
        private void Enter()
        {
            _snapshot = Machine._replicator.LatestSnapshot;
            _sent = 0;
            _acked = 0;
            _ackedAtLastRetry = -1;
        }

        [On]
        private EventResult OnPump(in Pump p)
        {
            var m = Machine;
            var snapshot = _snapshot ?? m._replicator.LatestSnapshot;
            if (snapshot is null)
            {
                return Goto<Probe>();
            }

            _snapshot = snapshot;
            var options = m._replicator.Options;
            if (p.Retry)
            {
                // No acknowledgement since the last retry: a chunk (or its answer) was lost; resume from what the follower has.
                if (_ackedAtLastRetry == _acked)
                {
                    _sent = _acked;

                    // Every byte acknowledged but no "installed" answer: the follower was still restoring when it answered the last
                    // chunk, and its final answer was lost. Send the last chunk again so that it answers once more (installed, or a
                    // refusal because it already holds the snapshot; both end the stream).
                    if (snapshot.Size > 0 && _sent >= snapshot.Size)
                    {
                        _sent = (snapshot.Size - 1) / options.SnapshotChunkSize * options.SnapshotChunkSize;
                    }

                    // The snapshot store keeps only its latest snapshot: once the leader took a newer one, the chunks of the
                    // stream's snapshot may be unreadable, and nothing would ever be acknowledged again. Stream the newest one
                    // instead; the follower drops its partial snapshot when a newer stream starts at offset 0.
                    if (m._replicator.LatestSnapshot is { } latest && latest.LastIncludedIndex > snapshot.LastIncludedIndex)
                    {
                        _snapshot = snapshot = latest;
                        _sent = 0;
                        _acked = 0;
                    }
                }

                _ackedAtLastRetry = _acked;
            }

            var window = (long)options.SnapshotChunkSize * options.MaxInflightSnapshotChunks;
            if (snapshot.Size == 0 && _sent == 0)
            {
                m._replicator.SendSnapshotChunk(m.Peer, snapshot, 0, 0);
                _sent = 1;
            }

            while (_sent < snapshot.Size && _sent - _acked < window)
            {
                var length = (int)Math.Min(options.SnapshotChunkSize, snapshot.Size - _sent);
                m._replicator.SendSnapshotChunk(m.Peer, snapshot, _sent, length);
                _sent += length;
            }

            return Handled;
        }

        [On]
        private EventResult OnSnapshotAck(in SnapshotAck a)
        {
            var m = Machine;
            if (_snapshot is null || a.SnapshotIndex != _snapshot.LastIncludedIndex)
            {
                return Handled;
            }

            if (a.Done || a.Rejected)
            {
                // Installed (or the follower already had it): continue from the snapshot's end by probing. A refusal means the
                // follower holds everything the snapshot covers, so the probe starts after it too; going back to the old Next
                // (at or below the snapshot) would only send the snapshot again, forever. Match moves only on Done: a refusal
                // is sent before the follower's entries are known durable, so the probe's acknowledgement establishes it.
                m.OnSuccess(a.Rejected ? m.Match : _snapshot.LastIncludedIndex);
                m.Next = Math.Max(m.Match + 1, _snapshot.LastIncludedIndex + 1);
                return Goto<Probe>();
            }

            if (a.NextOffset > _acked)
            {
                _acked = a.NextOffset;
            }
            else if (a.NextOffset < _acked)
            {
                // The follower restarted the stream.
                _acked = a.NextOffset;
                _sent = a.NextOffset;
            }

            return Handled;
        }

        [On]
        private void OnAck(in AppendAck a)
        {
            // Appends answered while streaming a snapshot are stale.
        }
    }
}
