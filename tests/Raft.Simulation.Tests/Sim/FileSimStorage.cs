using HsmRaft.Core;
using HsmRaft.Storage;
using HsmRaft.Testing;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// A node's disk made of the production stores: <see cref="FileStorage"/> (log segments, hard state, snapshots) over this
/// node's own <see cref="SimulatedFileSystem"/>, seeded from the run's generator so a run stays a pure function of its seed.
/// Every call is performed as the runtime performs it (RaftNode.Loop/Apply) and must complete synchronously: the stores do
/// their I/O on the calling thread and the simulated disk never blocks, so a store call that returns an unfinished task is a
/// failure here, not something to wait for (no thread pool, no real time).
/// <para>
/// A shadow <see cref="SimStorage"/> holds what the stores acknowledged as durable (with the model's monotonicity checks).
/// A crash abandons the stores mid-operation (the disk halts at a seeded mutation inside the batch being written, or inside
/// the commit of a snapshot being saved), loses power with a seeded <see cref="CrashMode"/>, and the next start reopens the
/// stores and checks that what they recover is what was acknowledged, possibly plus part of what was being written
/// (FileSimStorage.Recovery.cs).
/// </para>
/// </summary>
internal sealed partial class FileSimStorage : ISimStorage
{
    private readonly NodeId _node;
    private readonly Action<string, string> _fail;
    private readonly SimStorage _shadow;
    private readonly FileStorageOptions _options;
    private readonly Random _random;
    private FileStorage? _storage;
    private PersistentState _saved = new(HardState.Empty, ClusterConfiguration.Empty);
    private (ISnapshotSink Sink, MemoryStream Bytes)? _receiving;
    private (SnapshotMetadata Meta, byte[] Image, ISnapshotSink Sink)? _background;

    /// <param name="node">The node.</param>
    /// <param name="fail">Reports a broken invariant.</param>
    /// <param name="random">The run's generator: crash points and crash modes.</param>
    /// <param name="segmentSize">The log's segment size.</param>
    public FileSimStorage(NodeId node, Action<string, string> fail, Random random, long segmentSize)
    {
        _random = random;
        _node = node;
        _fail = fail;
        _shadow = new SimStorage(node, fail);
        Disk = new SimulatedFileSystem(random.Next());
        Directory = $"/raft/n{node.Value}";
        _options = new FileStorageOptions { Directory = Directory, FileSystem = Disk, SegmentSize = segmentSize };
    }

    /// <summary>The stores' log events (recovery repairs among them), by name.</summary>
    public StorageEventCounter Events { get; } = new();

    /// <summary>Restarts whose recovered state held part of what was being written at the crash (beyond what was acknowledged):
    /// hard state, log entries, or a snapshot being committed.</summary>
    public int RecoveredUnacknowledgedWrites { get; private set; }

    /// <summary>Power losses in the middle of a recovery (before the recovery that the node then starts from).</summary>
    public int CrashesDuringRecovery { get; private set; }

    /// <summary>Restarts that recovered a snapshot whose commit a crash interrupted (received or taken).</summary>
    public int RecoveredSnapshotsBeingCommitted { get; private set; }

    /// <summary>This node's simulated disk (scenarios inspect or damage its files).</summary>
    public SimulatedFileSystem Disk { get; }

    /// <summary>The node's data directory on <see cref="Disk"/>.</summary>
    public string Directory { get; }

    public HardState HardState => _shadow.HardState;

    public ClusterConfiguration Configuration => _shadow.Configuration;

    public long LogStartIndex => _shadow.LogStartIndex;

    public IReadOnlyList<LogEntry> Log => _shadow.Log;

    public long LastIndex => _shadow.LastIndex;

    public SnapshotMetadata? Snapshot => _shadow.Snapshot;

    public long SnapshotIndex => _shadow.SnapshotIndex;

    public byte[] SnapshotData => _shadow.SnapshotData;

    /// <summary>The open stores (while the node is up).</summary>
    private FileStorage Stores => _storage ?? throw new InvalidOperationException($"node {_node}: its file stores are not open (the node is down)");

    /// <summary>As <c>RaftNode.RecoverAsync</c> bootstraps a founding member: the first entry, then the hard state.</summary>
    public void Initialize(RaftCoreInitialState state)
    {
        Open();
        Sync(Stores.Log.AppendAsync(state.Log.Entries));
        _saved = new PersistentState(state.HardState, state.Configuration);
        Sync(Stores.Stable.SaveAsync(_saved));
        _shadow.Initialize(state);
    }

    public void PersistStable(Ready ready)
    {
        WriteStable(ready);
        _shadow.PersistStable(ready);
    }

    public void ReceiveSnapshot(SnapshotReceive receive)
    {
        if (WriteReceive(receive) is { } committed)
        {
            _shadow.SaveSnapshot(committed.Meta, committed.Data);
        }
    }

    public void PersistLog(Ready ready)
    {
        WriteLog(ready);
        _shadow.PersistLog(ready);
        var log = Stores.Log;
        if (log.LastIndex != _shadow.LastIndex || log.StartIndex != _shadow.LogStartIndex)
        {
            _fail("file log matches what was written", $"node {_node}: the log store holds ({log.StartIndex}, {log.LastIndex}], " +
                                                        $"the batches written give ({_shadow.LogStartIndex}, {_shadow.LastIndex}]");
        }
    }

    /// <summary>As the runtime writes a snapshot it took: create a sink and stream the image now, commit later.</summary>
    public void BeginSnapshot(SnapshotMetadata meta, byte[] image)
    {
        var sink = Sync(Stores.Snapshots.CreateAsync(meta));
        Sync(sink.WriteAsync(image));
        _background = (meta, image, sink);
    }

    public bool FinishSnapshot()
    {
        var (meta, image, sink) = _background ?? throw new InvalidOperationException("no snapshot is being written");
        _background = null;
        if (meta.LastIncludedIndex <= _shadow.SnapshotIndex)
        {
            Sync(sink.DisposeAsync()); // A newer snapshot was received meanwhile: the store would refuse an older one.
            return false;
        }

        var committed = Commit(sink, image);
        _shadow.SaveSnapshot(committed, image);
        return true;
    }

    public byte[] ReadSnapshot(long offset, int length)
    {
        using var stream = Sync(Stores.Snapshots.OpenReadAsync()) ??
                           throw new InvalidOperationException($"node {_node}: the snapshot store holds no snapshot");
        stream.Seek(offset, SeekOrigin.Begin);
        var chunk = new byte[length];
        stream.ReadExactly(chunk);
        if (!chunk.AsSpan().SequenceEqual(_shadow.SnapshotData.AsSpan((int)offset, length)))
        {
            _fail("snapshot reads back as written", $"node {_node}: bytes [{offset}, +{length}) of snapshot {_shadow.SnapshotIndex} differ from those written");
        }

        return chunk;
    }

    public void CompactToSnapshot()
    {
        Recover();
        if (_shadow.Snapshot is { } snapshot)
        {
            Sync(Stores.Log.CompactAsync(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm));
            _shadow.CompactToSnapshot();
        }
    }

    /// <summary>The hard state and configuration write of a batch, as <c>RaftNode.PersistAsync</c> does it.</summary>
    private void WriteStable(Ready ready)
    {
        if (ready.HardState is not null || ready.Configuration is not null)
        {
            _saved = new PersistentState(ready.HardState ?? _saved.HardState, ready.Configuration ?? _saved.Configuration);
            Sync(Stores.Stable.SaveAsync(_saved));
        }
    }

    /// <summary>One received chunk into the store's sink, as <c>RaftNode.ReceiveSnapshotAsync</c> does it; returns the snapshot an
    /// install committed.</summary>
    private (SnapshotMetadata Meta, byte[] Data)? WriteReceive(SnapshotReceive receive)
    {
        switch (receive.Kind)
        {
            case SnapshotReceiveKind.Begin:
                if (_receiving is { } previous)
                {
                    Sync(previous.Sink.DisposeAsync());
                }

                var sink = Sync(Stores.Snapshots.CreateAsync(receive.Metadata));
                _receiving = (sink, new MemoryStream());
                WriteChunk(receive);
                return null;
            case SnapshotReceiveKind.Write when _receiving is not null:
                WriteChunk(receive);
                return null;
            case SnapshotReceiveKind.Abort when _receiving is { } aborted:
                _receiving = null;
                Sync(aborted.Sink.DisposeAsync());
                return null;
            case SnapshotReceiveKind.Install when _receiving is { } complete:
                _receiving = null;
                var data = complete.Bytes.ToArray();
                return (Commit(complete.Sink, data), data);
            default:
                return null;
        }
    }

    private void WriteChunk(SnapshotReceive receive)
    {
        var (sink, bytes) = _receiving!.Value;
        Sync(sink.WriteAsync(receive.Data));
        bytes.Write(receive.Data.Span);
    }

    private SnapshotMetadata Commit(ISnapshotSink sink, byte[] data)
    {
        var committed = Sync(sink.CommitAsync());
        Sync(sink.DisposeAsync());
        if (committed.Size != data.Length)
        {
            _fail("snapshot committed whole", $"node {_node}: snapshot {committed.LastIncludedIndex} committed with {committed.Size} bytes, {data.Length} written");
        }

        return committed;
    }

    /// <summary>Compaction, then the entries, as <c>RaftNode.PersistAsync</c> does it.</summary>
    private void WriteLog(Ready ready)
    {
        if (ready.CompactLogThrough is { } compact)
        {
            Sync(Stores.Log.CompactAsync(compact.Index, compact.Term));
        }

        if (ready.Entries.Count > 0)
        {
            Sync(Stores.Log.AppendAsync(ready.Entries));
        }
    }

    /// <summary>A store call that must already be finished: the simulator never waits (see the class comment).</summary>
    private static void Sync(ValueTask call)
    {
        if (!call.IsCompleted)
        {
            throw new InvalidOperationException("A FileStorage call did not complete synchronously on the simulated disk.");
        }

        call.GetAwaiter().GetResult(); // Rethrows the store's exception, if any.
    }

    private static T Sync<T>(ValueTask<T> call) =>
        call.IsCompleted ? call.GetAwaiter().GetResult()
            : throw new InvalidOperationException("A FileStorage call did not complete synchronously on the simulated disk.");
}
