using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// Raft's safety properties (paper Figure 3 and §5.4), checked after every step of every node:
/// <list type="bullet">
/// <item>Election safety: at most one leader per term.</item>
/// <item>Log matching: two entries with the same index and term hold the same command and follow the same predecessor (so,
/// by induction, the logs are identical up to them). Checked on every entry a node writes.</item>
/// <item>Leader completeness: a node that becomes leader holds every entry known committed.</item>
/// <item>State-machine safety: no two nodes apply different entries at one index; a chain hash over the applied prefix also
/// catches a different history ending in the same entry, and a restored snapshot must match the applied prefix it claims.</item>
/// <item>Monotonicity within a node's life: term, commit and applied never go backwards (durable term, vote and commit are
/// checked across restarts by <see cref="SimStorage"/>), and no node grants two different votes in one term.</item>
/// <item>Durability before promises: a granted vote, a vote request and a successful append acknowledgement are sent only when
/// the state they promise is on disk.</item>
/// </list>
/// </summary>
internal sealed class InvariantChecker(Cluster cluster)
{
    private readonly Dictionary<long, NodeId> _leaders = [];
    private readonly Dictionary<(NodeId Voter, long Term), NodeId> _votes = [];
    private readonly Dictionary<(long Index, long Term), (LogEntryKind Kind, ulong Data, long PrevTerm, NodeId Writer)> _entries = [];
    private readonly List<long> _committedTerms = [0];

    /// <summary>Per index, the term of the first node seen holding it committed: at least the term in which it was committed.</summary>
    private readonly List<long> _committedIn = [0];
    private readonly List<(long Term, ulong Data, ulong Chain, NodeId Node)> _applied = [default];
    private readonly Dictionary<NodeId, View> _views = [];

    private sealed class View
    {
        public NodeId Vote;
        public long VoteTerm;
        public long Term;
        public long Commit;
        public long Applied;
        public RaftRole Role;
    }

    public int LeadersElected => _leaders.Count;

    /// <summary>The entry applied at <paramref name="index"/> by any node: its term and a hash of its data (term 0 when none).</summary>
    public (long Term, ulong Data) AppliedAt(long index) =>
        index < _applied.Count ? (_applied[(int)index].Term, _applied[(int)index].Data) : (0, 0);

    public void OnStart(SimNode node) =>
        _views[node.Id] = new View
        {
            Term = node.Storage.HardState.Term,
            VoteTerm = node.Storage.HardState.Term,
            Vote = node.Storage.HardState.VotedFor,
        };

    public void OnCrash(SimNode node) => _views.Remove(node.Id);

    public void AfterStep(SimNode node)
    {
        if (node.Core is not { } core || !_views.TryGetValue(node.Id, out var v))
        {
            return;
        }

        var s = core.Status;
        if (s.Term < v.Term)
        {
            Fail("term went backwards", $"node {node.Id}: term {v.Term} -> {s.Term}");
        }

        if (s.CommitIndex < v.Commit)
        {
            Fail("commit index went backwards", $"node {node.Id}: commit {v.Commit} -> {s.CommitIndex}");
        }

        if (node.Kv.Applied < v.Applied)
        {
            Fail("applied index went backwards", $"node {node.Id}: applied {v.Applied} -> {node.Kv.Applied}");
        }

        if (s.CommitIndex > v.Commit)
        {
            RecordCommitted(node, core, v.Commit + 1, s.CommitIndex);
        }

        if (s.Role == RaftRole.Leader)
        {
            if (_leaders.TryGetValue(s.Term, out var other) && other != node.Id)
            {
                Fail("election safety", $"nodes {other} and {node.Id} are both leaders of term {s.Term}");
            }

            _leaders[s.Term] = node.Id;
            if (v.Role != RaftRole.Leader || v.Term != s.Term)
            {
                CheckLeaderCompleteness(node, core, s);
            }
        }

        v.Term = s.Term;
        v.Commit = s.CommitIndex;
        v.Applied = node.Kv.Applied;
        v.Role = s.Role;
    }

    private void RecordCommitted(SimNode node, RaftCore core, long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            var term = core.TermAt(i);
            if (term < 0)
            {
                continue; // compacted: the snapshot covering it is checked against the applied prefix
            }

            while (_committedTerms.Count <= i)
            {
                _committedTerms.Add(0);
                _committedIn.Add(0);
            }

            var known = _committedTerms[(int)i];
            if (known == 0)
            {
                _committedTerms[(int)i] = term;
                _committedIn[(int)i] = core.Status.Term;
            }
            else if (known != term)
            {
                Fail("committed entry changed", $"index {i} was committed with term {known}; node {node.Id} now has term {term} there at commit {to}");
            }
        }
    }

    private void CheckLeaderCompleteness(SimNode node, RaftCore core, RaftStatus s)
    {
        for (var i = 1; i < _committedTerms.Count; i++)
        {
            // Leader completeness binds leaders of later terms than the commit: a process that was paused while it collected
            // its votes may still become leader of an older term, without entries committed since.
            var committed = _committedTerms[i];
            if (committed == 0 || _committedIn[i] >= s.Term)
            {
                continue;
            }

            var mine = core.TermAt(i);
            if (mine < 0 && i > s.LastLogIndex)
            {
                Fail("leader completeness", $"node {node.Id} leads term {s.Term} with last index {s.LastLogIndex}, missing committed entry {i}@{committed}");
            }

            if (mine >= 0 && mine != committed)
            {
                Fail("leader completeness", $"node {node.Id} leads term {s.Term} with entry {i}@{mine}, but {i}@{committed} was committed");
            }
        }
    }

    /// <summary>Every entry a node is about to write: same index and term must mean same entry after the same predecessor.</summary>
    public void OnReady(SimNode node, Ready ready)
    {
        var core = node.Core!;
        if (ready.HardState is { } hs && _views.TryGetValue(node.Id, out var v))
        {
            // The vote as the core holds it (the durable one is checked by SimStorage): once cast in a term, it never changes.
            if (hs.Term == v.VoteTerm && !v.Vote.IsNone && hs.VotedFor != v.Vote)
            {
                Fail("vote changed within a term", $"node {node.Id} voted for {v.Vote} in term {hs.Term}, now for {hs.VotedFor}");
            }

            if (hs.Term > v.VoteTerm || v.Vote.IsNone)
            {
                v.VoteTerm = hs.Term;
                v.Vote = hs.VotedFor;
            }
        }

        for (var k = 0; k < ready.Entries.Count; k++)
        {
            var e = ready.Entries[k];
            var prevTerm = k > 0 ? ready.Entries[k - 1].Term : core.TermAt(e.Index - 1);
            var data = StableHash.Of(e.Data.Span);
            if (_entries.TryGetValue((e.Index, e.Term), out var known))
            {
                if (known.Kind != e.Kind || known.Data != data)
                {
                    Fail("log matching", $"node {node.Id} writes entry {e.Index}@{e.Term} ({e.Kind}) that differs from the one node {known.Writer} wrote");
                }

                if (prevTerm >= 0 && known.PrevTerm >= 0 && prevTerm != known.PrevTerm)
                {
                    Fail("log matching", $"node {node.Id} writes entry {e.Index}@{e.Term} after an entry of term {prevTerm}; node {known.Writer} has it after term {known.PrevTerm}");
                }
            }
            else
            {
                _entries[(e.Index, e.Term)] = (e.Kind, data, prevTerm, node.Id);
            }
        }
    }

    public void OnApplied(SimNode node, LogEntry e)
    {
        var data = StableHash.Of(e.Data.Span);
        while (_applied.Count <= e.Index)
        {
            _applied.Add(default);
        }

        var known = _applied[(int)e.Index];
        if (known.Term == 0)
        {
            _applied[(int)e.Index] = (e.Term, data, node.Kv.Chain, node.Id);
        }
        else if (known.Term != e.Term || known.Data != data)
        {
            Fail("state machine safety", $"node {node.Id} applied {e.Index}@{e.Term} but node {known.Node} applied {e.Index}@{known.Term} (different entry)");
        }
        else if (known.Chain != node.Kv.Chain)
        {
            Fail("state machine safety", $"node {node.Id} applied entry {e.Index} after a different history than node {known.Node} (chain hash differs)");
        }

        if (e.Index < _committedTerms.Count && _committedTerms[(int)e.Index] is var c and not 0 && c != e.Term)
        {
            Fail("applied an uncommitted entry", $"node {node.Id} applied {e.Index}@{e.Term}, but {e.Index}@{c} is the committed entry");
        }
    }

    /// <summary>A state machine restored from a snapshot must equal what was applied through the snapshot's index.</summary>
    public void OnRestored(SimNode node, KvStateMachine kv)
    {
        if (kv.Applied == 0)
        {
            return;
        }

        var known = kv.Applied < _applied.Count ? _applied[(int)kv.Applied] : default;
        if (known.Term == 0)
        {
            Fail("snapshot of unapplied state", $"node {node.Id} restored a snapshot through {kv.Applied}, which no node applied");
        }

        if (known.Chain != kv.Chain)
        {
            Fail("snapshot differs from the applied prefix", $"node {node.Id} restored a snapshot through {kv.Applied} whose history differs from node {known.Node}'s");
        }
    }

    /// <summary>Promises made by a message must already be durable.</summary>
    public void OnSend(SimNode node, RaftMessage m)
    {
        var hs = node.Storage.HardState;
        switch (m)
        {
            case RequestVoteResponse { PreVote: false, Granted: true }:
                if (_votes.TryGetValue((m.From, m.Term), out var earlier) && earlier != m.To)
                {
                    Fail("vote granted twice", $"node {m.From} granted its term-{m.Term} vote to {earlier} and then to {m.To}");
                }

                // Durable means the disk holds this vote, or a later term (then the node can never vote in this term again).
                _votes[(m.From, m.Term)] = m.To;
                if (hs.Term < m.Term || (hs.Term == m.Term && hs.VotedFor != m.To))
                {
                    Fail("vote sent before it was durable", $"node {m.From} grants term {m.Term} vote to {m.To}; disk holds term {hs.Term} vote {hs.VotedFor}");
                }

                break;
            case RequestVote { PreVote: false } rv when hs.Term < rv.Term || (hs.Term == rv.Term && hs.VotedFor != rv.From):
                Fail("vote request sent before the self-vote was durable", $"node {rv.From} campaigns in term {rv.Term}; disk holds term {hs.Term} vote {hs.VotedFor}");
                break;
            case AppendEntriesResponse { Success: true } r when r.Index > node.Storage.LastIndex && r.Index > node.Storage.SnapshotIndex:
                Fail("append acknowledged before it was durable", $"node {r.From} acknowledges index {r.Index}; its disk holds the log through {node.Storage.LastIndex}");
                break;
        }
    }

    private void Fail(string invariant, string details) => cluster.Fail(invariant, details);
}
