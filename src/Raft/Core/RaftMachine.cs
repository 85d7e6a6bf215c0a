using Hsm;
using HsmRaft.Core.Progress;
using HsmRaft.Messages;

namespace HsmRaft.Core;

/// <summary>
/// The Raft roles as a hierarchical state machine (compiled by the Hsm generator):
/// <code>
/// RaftMachine
/// ├── Follower (initial)   ── Following (initial) | InstallingSnapshot
/// ├── Campaign             ── PreCandidate | Candidate
/// └── Leader  (orthogonal) ── Replication: Establishing (initial) | Serving | Transferring
///                          └─ Membership:  Resolving (initial) | Stable | CatchingUp | Joint | Leaving
/// </code>
/// The machine itself (the root) holds the persistent and volatile state every role shares and the behaviour common to all
/// roles: stepping down on a newer term, voting, and refusing leader-only requests. Each role's file holds its behaviour.
/// </summary>
[StateMachine(QueueCapacity = 1024, DeferredCapacity = 4096)]
internal sealed partial class RaftMachine : IReplicator
{
    private readonly Random _random;
    private int _randomizedElectionTimeout;

    public RaftMachine(RaftCoreOptions options, RaftLog log, HardState hardState, SnapshotMetadata? snapshot, ClusterConfiguration fallbackConfiguration)
    {
        Options = options;
        Id = options.Id;
        Log = log;
        Term = hardState.Term;
        VotedFor = hardState.VotedFor;
        LatestSnapshot = snapshot;
        _fallbackConfiguration = snapshot?.Configuration ?? fallbackConfiguration;
        _random = new Random(options.Seed);
        RecomputeConfiguration();
    }

    public RaftCoreOptions Options { get; }

    public NodeId Id { get; }

    public RaftLog Log { get; }

    public long Term { get; private set; }

    public NodeId VotedFor { get; private set; }

    public NodeId LeaderId { get; private set; }

    public RaftRole Role { get; private set; }

    /// <summary>The configuration in force: the latest one in the log, appended or not (thesis §4.1).</summary>
    public ClusterConfiguration Config { get; private set; } = ClusterConfiguration.Empty;

    /// <summary>Log index of the entry holding <see cref="Config"/> (0 when it comes from a snapshot or the bootstrap).</summary>
    public long ConfigIndex { get; private set; }

    public SnapshotMetadata? LatestSnapshot { get; set; }

    /// <summary>The batch being filled for the runtime.</summary>
    public Ready Out { get; set; } = new();

    /// <summary>Ticks since the last heartbeat from a leader (followers), or since the last quorum check (leaders).</summary>
    internal int ElectionElapsed { get; set; }

    /// <summary>True while this node hears from a leader, so it ignores disruptive vote requests (check-quorum).</summary>
    public bool InLease => Options.CheckQuorum && !LeaderId.IsNone && ElectionElapsed < Options.ElectionTicks;

    public bool IsPromotable => Config.IsVoter(Id);

    private readonly ClusterConfiguration _fallbackConfiguration;

    private void ResetElectionTimer()
    {
        ElectionElapsed = 0;
        _randomizedElectionTimeout = Options.ElectionTicks + _random.Next(Options.ElectionTicks);
    }

    private bool ElectionTimedOut => ElectionElapsed >= _randomizedElectionTimeout;

    private void Transmit(RaftMessage message) => Out.Messages.Add(message);

    private void TransmitAfterPersist(RaftMessage message) => Out.MessagesAfterPersist.Add(message);

    private void Complete(long requestId, CompletionKind kind, long index, RaftException? error) =>
        Out.Completions.Add(new CoreCompletion(requestId, kind, index, error));

    private RaftException NotLeader() => new NotLeaderException(Id, LeaderId, LeaderId.IsNone ? null : Config.AddressOf(LeaderId));

    /// <summary>Re-reads the configuration in force after the log changed (append, truncation, snapshot).</summary>
    internal void RecomputeConfiguration()
    {
        if (Log.LastConfigurationEntry(Log.LastIndex) is { } entry)
        {
            Config = ClusterConfiguration.Decode(entry.Data.Span);
            ConfigIndex = entry.Index;
        }
        else
        {
            Config = LatestSnapshot?.Configuration ?? _fallbackConfiguration;
            ConfigIndex = 0;
        }

        OnConfigurationChanged();
    }

    partial void OnConfigurationChanged();

    private static EventResult Goto<TState>()
        where TState : IState<RaftMachine> => EventResult.Transition(TState.StateId);

    // ---- Behaviour shared by every role -------------------------------------------------------------------------------

    [On]
    private EventResult OnStepDown(in StepDown s)
    {
        Term = s.Term;
        VotedFor = NodeId.None;
        LeaderId = s.Leader;
        return Goto<Follower>();
    }

    /// <summary>Raft §5.2 and §5.4.1, with pre-vote (thesis §9.6): grant at most one vote per term, only to an up-to-date log.</summary>
    [On]
    private void OnRequestVote(in RequestVote m)
    {
        var canVote = VotedFor == m.From ||
                      (VotedFor.IsNone && LeaderId.IsNone) ||
                      (m.PreVote && m.Term > Term);
        if (canVote && Log.IsUpToDate(m.LastLogIndex, m.LastLogTerm))
        {
            var response = new RequestVoteResponse { From = Id, To = m.From, Term = m.Term, PreVote = m.PreVote, Granted = true };
            if (m.PreVote)
            {
                Transmit(response);
                return;
            }

            VotedFor = m.From;
            ElectionElapsed = 0;

            // The vote must be durable before the candidate learns of it.
            TransmitAfterPersist(response);
            return;
        }

        Transmit(new RequestVoteResponse { From = Id, To = m.From, Term = Term, PreVote = m.PreVote, Granted = false });
    }

    [On]
    private void OnPropose(in ProposeCommand c) => c.Error = NotLeader();

    [On]
    private void OnRead(in ReadCommand c) => Complete(c.RequestId, CompletionKind.ReadIndex, 0, NotLeader());

    [On]
    private void OnTransfer(in TransferCommand c) => Complete(c.RequestId, CompletionKind.LeadershipTransfer, 0, NotLeader());

    [On]
    private void OnMembership(in MembershipCommand c) => Complete(c.RequestId, CompletionKind.MembershipChange, 0, NotLeader());

    [On]
    private void OnSnapshotInstalled(in SnapshotInstalledEvent e)
    {
        // A snapshot finished installing after this node stopped following its sender; the data is still a valid prefix.
        InstallSnapshotState(e.Snapshot);
    }

    /// <summary>Adopts an installed snapshot: the log restarts after it and its configuration takes effect.</summary>
    internal void InstallSnapshotState(SnapshotMetadata snapshot)
    {
        if (snapshot.LastIncludedIndex <= Log.Committed)
        {
            return;
        }

        LatestSnapshot = snapshot;
        Log.ResetToSnapshot(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm);
        RecomputeConfiguration();
    }

    // ---- IReplicator: how a leader's per-peer progress machines send --------------------------------------------------------

    long IReplicator.SendAppend(NodeId peer, long next, bool probe)
    {
        var prevIndex = next - 1;
        var entries = next <= Log.LastIndex
            ? Log.Slice(next, Log.LastIndex + 1, Options.MaxBytesPerMessage, Options.MaxEntriesPerMessage)
            : [];
        Transmit(new AppendEntries
        {
            From = Id,
            To = peer,
            Term = Term,
            PrevLogIndex = prevIndex,
            PrevLogTerm = Log.Term(prevIndex),
            LeaderCommit = Log.Committed,
            Entries = entries,
        });
        return prevIndex + entries.Count;
    }

    void IReplicator.SendSnapshotChunk(NodeId peer, SnapshotMetadata snapshot, long offset, int length) =>
        Out.SnapshotChunks.Add(new SnapshotSend(peer, Term, snapshot, offset, length));
}
