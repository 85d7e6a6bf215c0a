using HsmRaft.Messages;

namespace HsmRaft.Core;

/// <summary>
/// The Raft protocol as a pure, deterministic state machine: no I/O, no threads, no clock, no hidden randomness (election
/// timeouts come from <see cref="RaftCoreOptions.Seed"/>). Feed it ticks, messages and requests; collect its work with
/// <see cref="GetReady"/>, perform it, and acknowledge with <see cref="Advance"/>. The same inputs always give the same outputs,
/// which is what makes the deterministic simulation tests possible. Not thread-safe: one caller at a time.
/// </summary>
public sealed class RaftCore
{
    private readonly RaftMachine _machine;
    private readonly ProposeCommand _propose = new();
    private HardState _persistedHardState;
    private ClusterConfiguration _persistedConfiguration;
    private (long Index, long Term)? _pendingCompaction;
    private (RaftRole Role, long Term, NodeId Leader) _reportedStatus;

    /// <summary>Starts a core from recovered state. The state machine must already reflect <paramref name="initial"/>'s snapshot.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public RaftCore(RaftCoreOptions options, RaftCoreInitialState initial)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(initial);
        options = options.Clone();
        options.Validate();

        var log = new RaftLog(initial.Log.SnapshotIndex, initial.Log.SnapshotTerm, initial.Log.Entries, initial.HardState.Commit);
        if (initial.Snapshot is { } snapshot)
        {
            // The state machine starts at the snapshot; entries it covers are applied already.
            log.ResetToSnapshot(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm);

            // A crash between committing a snapshot and compacting the log store leaves the store holding what the snapshot
            // covers: after a received snapshot, possibly a log that ends before it or conflicts with it. The first Ready has the
            // store compact through the snapshot, so the entries appended after it continue the stored log.
            if (log.SnapshotIndex > initial.Log.SnapshotIndex)
            {
                _pendingCompaction = (log.SnapshotIndex, log.SnapshotTerm);
            }
        }

        _machine = new RaftMachine(options, log, initial.HardState, initial.Snapshot, initial.Configuration);
        _machine.Start();
        _persistedHardState = initial.HardState;
        _persistedConfiguration = _machine.Config;
        _reportedStatus = (_machine.Role, _machine.Term, _machine.LeaderId);
    }

    /// <summary>This node's id.</summary>
    public NodeId Id => _machine.Id;

    /// <summary>The node's current state.</summary>
    public RaftStatus Status => new(
        _machine.Id,
        _machine.Role,
        _machine.Term,
        _machine.LeaderId,
        _machine.Log.Committed,
        _machine.Log.Applied,
        _machine.Log.LastIndex,
        _machine.LatestSnapshot?.LastIncludedIndex ?? 0,
        _machine.Config,
        _machine.MembershipChangeInProgress);

    /// <summary>True when this node is the leader.</summary>
    public bool IsLeader => _machine.Role == RaftRole.Leader;

    /// <summary>The configuration in force.</summary>
    public ClusterConfiguration Configuration => _machine.Config;

    /// <summary>The log-entry term at <paramref name="index"/>, or -1 when it is not in the in-memory log.</summary>
    public long TermAt(long index) => _machine.Log.Term(index);

    /// <summary>The role machine's static description and Mermaid diagram (for documentation and tooling).</summary>
    public static Hsm.MachineInfo RoleMachineInfo => RaftMachine.StateMachineInfo;

    /// <summary>Advances logical time by one tick.</summary>
    public void Tick() => _machine.Dispatch(new Tick());

    /// <summary>Handles a message from another node.</summary>
    public void Step(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != _machine.Id || message.From == _machine.Id)
        {
            return;
        }

        switch (TermRules.Classify(message, _machine.Term, _machine.InLease))
        {
            case TermVerdict.Ignore:
                return;
            case TermVerdict.RejectStale:
                RejectStale(message);
                return;
            case TermVerdict.StepDownThenProcess:
                _machine.Dispatch(new StepDown(message.Term, TermRules.LeaderOf(message)));
                break;
        }

        switch (message)
        {
            case AppendEntries m:
                _machine.Dispatch(m);
                break;
            case AppendEntriesResponse m:
                _machine.Dispatch(m);
                break;
            case Heartbeat m:
                _machine.Dispatch(m);
                break;
            case HeartbeatResponse m:
                _machine.Dispatch(m);
                break;
            case RequestVote m:
                _machine.Dispatch(m);
                break;
            case RequestVoteResponse m:
                _machine.Dispatch(m);
                break;
            case InstallSnapshot m:
                _machine.Dispatch(m);
                break;
            case InstallSnapshotResponse m:
                _machine.Dispatch(m);
                break;
            case TimeoutNow m:
                _machine.Dispatch(m);
                break;
        }
    }

    /// <summary>A stale leader or pre-candidate learns our newer term from the answer and steps down.</summary>
    private void RejectStale(RaftMessage message)
    {
        RaftMessage reply = message is RequestVote
            ? new RequestVoteResponse { From = _machine.Id, To = message.From, Term = _machine.Term, PreVote = true, Granted = false }
            : new AppendEntriesResponse { From = _machine.Id, To = message.From, Term = _machine.Term, Success = false };
        _machine.Out.Messages.Add(reply);
    }

    /// <summary>Appends a command to the leader's log.</summary>
    /// <returns>Where the command sits; it took effect if the entry applied at that index has the same term.</returns>
    /// <exception cref="NotLeaderException">This node is not the leader (the exception names the leader when known).</exception>
    /// <exception cref="RaftOverloadedException">Too many bytes are waiting to commit.</exception>
    /// <exception cref="RaftException">Leadership is being transferred.</exception>
    public ProposalTicket Propose(ReadOnlyMemory<byte> command)
    {
        _propose.Data = command;
        _propose.Error = null;
        _propose.Ticket = default;
        _machine.Dispatch(_propose);
        _propose.Data = default;
        if (_propose.Error is { } error)
        {
            throw error;
        }

        return _propose.Ticket;
    }

    /// <summary>Requests a linearizable read point; the answer (a read index, or an error) comes in <see cref="Ready.Completions"/>.</summary>
    public void ReadIndex(long requestId) => _machine.Dispatch(new ReadCommand(requestId));

    /// <summary>Asks the leader to hand leadership to <paramref name="target"/> (<see cref="NodeId.None"/>: the most up-to-date voter
    /// that answered recently); the outcome comes in <see cref="Ready.Completions"/>.</summary>
    public void TransferLeadership(long requestId, NodeId target) => _machine.Dispatch(new TransferCommand(requestId, target));

    /// <summary>Starts a membership change by joint consensus; the outcome comes in <see cref="Ready.Completions"/> once the final
    /// configuration commits (or the change fails).</summary>
    public void ChangeMembership(long requestId, MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _machine.Dispatch(new MembershipCommand(requestId, change));
    }

    /// <summary>The transport could not reach <paramref name="peer"/>: the leader stops pipelining to it and probes instead.</summary>
    public void ReportUnreachable(NodeId peer) => _machine.Dispatch(new PeerUnreachable(peer));

    /// <summary>The state machine applied every committed entry up to <paramref name="index"/>.</summary>
    public void ReportApplied(long index)
    {
        if (index > _machine.Log.Applied)
        {
            _machine.Log.Applied = index;
        }
    }

    /// <summary>
    /// A snapshot covering entries up to <see cref="SnapshotMetadata.LastIncludedIndex"/> is durable. The in-memory log is
    /// compacted through <paramref name="compactThrough"/> (keep a trailing window below the snapshot index so slightly lagging
    /// followers catch up from the log), and the next <see cref="Ready"/> asks the log store to do the same.
    /// </summary>
    public void SnapshotTaken(SnapshotMetadata snapshot, long compactThrough)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var log = _machine.Log;
        if (snapshot.LastIncludedIndex > log.Applied)
        {
            throw new ArgumentException($"Snapshot index {snapshot.LastIncludedIndex} is beyond the applied index {log.Applied}.", nameof(snapshot));
        }

        if (_machine.LatestSnapshot is null || snapshot.LastIncludedIndex > _machine.LatestSnapshot.LastIncludedIndex)
        {
            _machine.LatestSnapshot = snapshot;
        }

        var through = Math.Min(Math.Min(compactThrough, snapshot.LastIncludedIndex), log.PersistedIndex);
        if (through > log.SnapshotIndex)
        {
            var term = log.Term(through);
            log.CompactTo(through, term);
            _pendingCompaction = (through, term);
        }
    }

    /// <summary>The runtime finished a <see cref="SnapshotReceiveKind.Install"/>: the state machine holds the snapshot's state.</summary>
    public void SnapshotInstalled(SnapshotMetadata snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var before = _machine.Log.SnapshotIndex;
        _machine.Dispatch(new SnapshotInstalledEvent(snapshot));
        if (_machine.Log.SnapshotIndex != before)
        {
            // The log store must drop (or, where it conflicts, discard) what the snapshot replaced before new entries follow it.
            _pendingCompaction = (_machine.Log.SnapshotIndex, _machine.Log.SnapshotTerm);
        }
    }

    /// <summary>True when <see cref="GetReady"/> would return work.</summary>
    public bool HasReady
    {
        get
        {
            var log = _machine.Log;
            var o = _machine.Out;
            return !o.IsEmpty || log.UnstableFrom <= log.LastIndex || log.HasCommittedToHandOut || _pendingCompaction is not null ||
                   _machine.Term != _persistedHardState.Term || _machine.VotedFor != _persistedHardState.VotedFor ||
                   !_machine.Config.Equals(_persistedConfiguration) || _machine.HasPendingLeaderWork || StatusChanged;
        }
    }

    private bool StatusChanged => _reportedStatus != (_machine.Role, _machine.Term, _machine.LeaderId);

    /// <summary>Collects the work accumulated since the last call. Perform it in the order documented on <see cref="Ready"/>.</summary>
    public Ready GetReady()
    {
        _machine.Dispatch(new Flush());
        var ready = _machine.Out;
        _machine.Out = new Ready();
        var log = _machine.Log;

        // Term and vote must be durable before the messages that depend on them; the commit index rides along when they change
        // (persisting it on every batch would cost a second fsync for nothing: it can be recomputed after a restart).
        if (_machine.Term != _persistedHardState.Term || _machine.VotedFor != _persistedHardState.VotedFor)
        {
            ready.HardState = new HardState(_machine.Term, _machine.VotedFor, log.Committed);
        }

        if (!_machine.Config.Equals(_persistedConfiguration))
        {
            ready.Configuration = _machine.Config;
            ready.HardState ??= new HardState(_machine.Term, _machine.VotedFor, log.Committed);
        }

        log.TakeUnstable(ready.Entries);
        log.TakeCommitted(ready.CommittedEntries);
        ready.CompactLogThrough = _pendingCompaction;
        _pendingCompaction = null;
        if (StatusChanged)
        {
            ready.StatusChanged = true;
            _reportedStatus = (_machine.Role, _machine.Term, _machine.LeaderId);
        }

        return ready;
    }

    /// <summary>The runtime made <paramref name="ready"/> durable (and sent its messages).</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.HardState is { } hardState)
        {
            _persistedHardState = hardState;
        }

        if (ready.Configuration is { } configuration)
        {
            _persistedConfiguration = configuration;
        }

        var log = _machine.Log;
        // The newest written entry still in the log as written is durable with everything before it; entries replaced while
        // the batch was being written are not durable in their new form.
        for (var i = ready.Entries.Count - 1; i >= 0; i--)
        {
            var e = ready.Entries[i];
            if (log.Term(e.Index) == e.Term)
            {
                log.PersistedIndex = Math.Max(log.PersistedIndex, e.Index);
                break;
            }
        }

        _machine.Dispatch(new Persisted());
    }
}
