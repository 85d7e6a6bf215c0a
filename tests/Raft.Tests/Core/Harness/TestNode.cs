using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Storage;

namespace HsmRaft.Tests.Core.Harness;

/// <summary>
/// One core plus a perfect, synchronous stand-in for its runtime: a "disk" (hard state, configuration, log, snapshot) and a
/// "state machine" (the list of applied entries). <see cref="ProcessReady"/> performs a <see cref="Ready"/> in the order the
/// core documents; <see cref="Restart"/> rebuilds the core from the disk alone, as after a crash.
/// </summary>
internal sealed class TestNode
{
    private readonly RaftCoreOptions _options;
    private readonly ClusterConfiguration _initialConfiguration;
    private List<byte>? _incomingSnapshot;

    public TestNode(RaftCoreOptions options, RaftCoreInitialState initial)
    {
        _options = options;
        _initialConfiguration = initial.Configuration;
        HardState = initial.HardState;
        Log.AddRange(initial.Log.Entries);
        Snapshot = initial.Snapshot;
        Core = new RaftCore(options, initial);
    }

    public NodeId Id => _options.Id;

    public RaftCoreOptions Options => _options;

    public RaftCore Core { get; private set; }

    public RaftStatus Status => Core.Status;

    public RaftRole Role => Core.Status.Role;

    public long Term => Core.Status.Term;

    // ---- The disk ----------------------------------------------------------------------------------------------------

    public HardState HardState { get; private set; }

    public ClusterConfiguration? StoredConfiguration { get; private set; }

    /// <summary>The durable log after the snapshot.</summary>
    public List<LogEntry> Log { get; } = [];

    public SnapshotMetadata? Snapshot { get; private set; }

    public byte[] SnapshotData { get; set; } = [];

    // ---- The state machine and the client side ------------------------------------------------------------------------

    public List<LogEntry> Applied { get; } = [];

    /// <summary>The snapshot the state machine was last restored from (follower side), if any.</summary>
    public SnapshotMetadata? RestoredFrom { get; private set; }

    public List<CoreCompletion> Completions { get; } = [];

    /// <summary>Every snapshot action the core asked for, in order.</summary>
    public List<SnapshotReceiveKind> SnapshotActions { get; } = [];

    /// <summary>Every Ready this node performed, newest last.</summary>
    public List<Ready> Readies { get; } = [];

    /// <summary>Performs one pending <see cref="Ready"/>, if any: messages, persistence, Advance, acknowledgements, apply.</summary>
    public bool ProcessReady(Action<RaftMessage> send)
    {
        if (!Core.HasReady)
        {
            return false;
        }

        var ready = Core.GetReady();
        Readies.Add(ready);
        foreach (var m in ready.Messages)
        {
            send(m);
        }

        foreach (var chunk in ready.SnapshotChunks)
        {
            send(ReadChunk(chunk));
        }

        Persist(ready);
        Core.Advance(ready);
        foreach (var m in ready.MessagesAfterPersist)
        {
            send(m);
        }

        Applied.AddRange(ready.CommittedEntries);
        if (ready.CommittedEntries.Count > 0)
        {
            Core.ReportApplied(ready.CommittedEntries[^1].Index);
        }

        Completions.AddRange(ready.Completions);
        if (ready.SnapshotReceives.Any(r => r.Kind == SnapshotReceiveKind.Install))
        {
            // The runtime restores the state machine from the committed snapshot, then reports it.
            RestoredFrom = Snapshot;
            Core.SnapshotInstalled(Snapshot!);
        }

        return true;
    }

    /// <summary>Drives this lone node to leadership: waits for its election timeout, then grants every (pre-)vote it asks for.
    /// Returns the messages it sent on the way (the leader's first AppendEntries among them).</summary>
    public List<RaftMessage> WinElection()
    {
        var sent = new List<RaftMessage>();
        for (var i = 0; i < 2 * Options.ElectionTicks && Role == RaftRole.Follower; i++)
        {
            Core.Tick();
        }

        while (Role != RaftRole.Leader && ProcessReady(sent.Add))
        {
            foreach (var request in sent.OfType<RequestVote>().Where(r => r.Term >= Term))
            {
                Core.Step(new RequestVoteResponse { From = request.To, To = Id, Term = request.Term, PreVote = request.PreVote, Granted = true });
            }
        }

        Assert.Equal(RaftRole.Leader, Role);
        return sent;
    }

    /// <summary>Takes a snapshot of the state machine at <paramref name="index"/> (it must be applied) holding <paramref name="data"/>,
    /// and lets the core compact its log through <paramref name="compactThrough"/>.</summary>
    public SnapshotMetadata TakeSnapshot(long index, byte[] data, long compactThrough)
    {
        var snapshot = new SnapshotMetadata(index, Core.TermAt(index), Core.Configuration, data.Length);
        Snapshot = snapshot;
        SnapshotData = data;
        Core.SnapshotTaken(snapshot, compactThrough);
        return snapshot;
    }

    /// <summary>Loses everything not on the disk and starts a new core from it.</summary>
    public void Restart()
    {
        var snapshotIndex = Snapshot?.LastIncludedIndex ?? 0;
        var snapshotTerm = Snapshot?.LastIncludedTerm ?? 0;
        var initial = new RaftCoreInitialState(HardState, new LogRecovery(snapshotIndex, snapshotTerm, [.. Log]), Snapshot,
            StoredConfiguration ?? _initialConfiguration);
        Applied.Clear();
        Core = new RaftCore(_options, initial);
    }

    /// <summary>The whole log as the core holds it: (index, term) from the first in-memory index to the last.</summary>
    public long[] LogTerms()
    {
        var status = Core.Status;
        var terms = new List<long>();
        for (var i = status.SnapshotIndex + 1; i <= status.LastLogIndex; i++)
        {
            terms.Add(Core.TermAt(i));
        }

        return [.. terms];
    }

    private InstallSnapshot ReadChunk(SnapshotSend chunk) => new()
    {
        From = Id,
        To = chunk.To,
        Term = chunk.Term,
        Metadata = chunk.Metadata,
        Offset = chunk.Offset,
        Data = SnapshotData.AsMemory((int)chunk.Offset, chunk.Length),
        Done = chunk.Offset + chunk.Length >= chunk.Metadata.Size,
    };

    private void Persist(Ready ready)
    {
        if (ready.HardState is { } hardState)
        {
            HardState = hardState;
        }

        if (ready.Configuration is { } configuration)
        {
            StoredConfiguration = configuration;
        }

        foreach (var receive in ready.SnapshotReceives)
        {
            SnapshotActions.Add(receive.Kind);
            switch (receive.Kind)
            {
                case SnapshotReceiveKind.Begin:
                    _incomingSnapshot = [.. receive.Data.ToArray()];
                    break;
                case SnapshotReceiveKind.Write:
                    _incomingSnapshot!.AddRange(receive.Data.ToArray());
                    break;
                case SnapshotReceiveKind.Install:
                    Snapshot = receive.Metadata;
                    SnapshotData = [.. _incomingSnapshot!];
                    _incomingSnapshot = null;
                    break;
                case SnapshotReceiveKind.Abort:
                    _incomingSnapshot = null;
                    break;
            }
        }

        if (ready.CompactLogThrough is { } compact)
        {
            var keep = Log.Any(e => e.Index == compact.Index && e.Term == compact.Term);
            Log.RemoveAll(e => !keep || e.Index <= compact.Index);
        }

        if (ready.Entries.Count > 0)
        {
            // Entries at or below the last stored index replace the stored suffix (conflict truncation).
            var first = ready.Entries[0].Index;
            Log.RemoveAll(e => e.Index >= first);
            Log.AddRange(ready.Entries);
        }
    }
}
