using HsmRaft.Core;

namespace HsmRaft.Simulation.Sim;

/// <summary>Which implementation holds a simulated node's durable state.</summary>
internal enum StorageBackend
{
    /// <summary><see cref="SimStorage"/>: an in-memory model of what survives a crash (fast; the default).</summary>
    Model,

    /// <summary><see cref="FileSimStorage"/>: the production <c>FileStorage</c> over a per-node simulated disk.</summary>
    File,
}

/// <summary>
/// One node's disk as <see cref="SimNode"/> uses it: the durable state the node acknowledged (read by the invariant checker),
/// the writes of a <see cref="Ready"/> batch in the order it documents, snapshots, and what a crash leaves behind.
/// Both implementations check that durable state never goes backwards (term, vote within a term, commit, snapshot index).
/// </summary>
internal interface ISimStorage
{
    /// <summary>The durable hard state, as last acknowledged (or recovered).</summary>
    HardState HardState { get; }

    ClusterConfiguration Configuration { get; }

    /// <summary>Index and term of the entry just before the first stored entry (the compaction point).</summary>
    long LogStartIndex { get; }

    /// <summary>The durable log after <see cref="LogStartIndex"/>.</summary>
    IReadOnlyList<LogEntry> Log { get; }

    long LastIndex { get; }

    SnapshotMetadata? Snapshot { get; }

    long SnapshotIndex { get; }

    /// <summary>The latest snapshot's data, as recovered at the last start or written since.</summary>
    byte[] SnapshotData { get; }

    /// <summary>Writes the founding state before the core first starts (as the runtime does for a new cluster).</summary>
    void Initialize(RaftCoreInitialState state);

    /// <summary>Reads back everything durable to start the core (after a crash, or for the first time).</summary>
    RaftCoreInitialState Recover();

    /// <summary>Makes the batch's hard state and configuration durable (the first write of a batch).</summary>
    void PersistStable(Ready ready);

    /// <summary>Performs one of the batch's <see cref="Ready.SnapshotReceives"/> (after <see cref="PersistStable"/>): an
    /// <see cref="SnapshotReceiveKind.Install"/> commits the received snapshot as the latest.</summary>
    void ReceiveSnapshot(SnapshotReceive receive);

    /// <summary>Makes the batch's log changes durable: compaction first, then the entries.</summary>
    void PersistLog(Ready ready);

    /// <summary>Starts writing a snapshot the node took (in the background: the node keeps working meanwhile).</summary>
    void BeginSnapshot(SnapshotMetadata meta, byte[] image);

    /// <summary>Finishes the snapshot <see cref="BeginSnapshot"/> started: commits it unless a newer one is stored meanwhile.</summary>
    /// <returns>True when it was committed as the latest snapshot.</returns>
    bool FinishSnapshot();

    /// <summary>Reads <paramref name="length"/> bytes of the latest snapshot from <paramref name="offset"/> (for a chunk to send).</summary>
    byte[] ReadSnapshot(long offset, int length);

    /// <summary>The node loses power while <paramref name="inflight"/> (if any) was being written: part of it may survive, or
    /// nothing with <paramref name="keepNothing"/>. Returns what happened, for the trace.</summary>
    string Crash(Ready? inflight, bool keepNothing, Random random);

    /// <summary>Drops every stored entry the durable snapshot covers (the trailing window too), as an aggressive store might.
    /// Only while the node is down.</summary>
    void CompactToSnapshot();
}
