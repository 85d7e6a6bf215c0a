using System.Net;
using System.Net.Sockets;
using HsmRaft.Benchmarks.Harness;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Transport;

namespace HsmRaft.Benchmarks.HsmRaftPeer;

/// <summary>Which HsmRaft transport a run uses.</summary>
public enum HsmRaftTransportKind
{
    /// <summary>The default gRPC transport (HTTP/2, one long-lived stream per peer).</summary>
    Grpc,

    /// <summary>The raw TCP sample transport (System.IO.Pipelines, length-prefixed frames).</summary>
    Tcp,
}

/// <summary>
/// Three HsmRaft voters in this process on 127.0.0.1: file storage (fdatasync before every acknowledgement, on followers too),
/// the chosen transport, default protocol settings except a 100 ms tick (1–2 s election timeout) so a loaded 2-core machine does
/// not trigger spurious elections.
/// </summary>
public sealed class HsmRaftCluster(HsmRaftTransportKind transport) : IClusterUnderTest
{
    /// <summary>How the runs are configured, for the report.</summary>
    public static string Describe(HsmRaftTransportKind transport) =>
        $"{(transport == HsmRaftTransportKind.Grpc ? "gRPC (HTTP/2 h2c, one stream per peer)" : "TCP sample transport (Pipelines, length-prefixed frames)")}, " +
        "protobuf-net messages, FileLogStore (segmented WAL, CRC32C), one fdatasync per batch on every voter before it acknowledges " +
        "(leader writes in parallel with replicating); 100 ms tick, 10 election ticks, pre-vote and check-quorum on, snapshots off";

    private readonly List<RaftNode> _nodes = [];
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<AppliedCommands> _applied = [];
    private RaftNode? _leader;
    private int _leaderChanges;
    private long _leaderTerm;

    /// <inheritdoc />
    public int LeaderChanges => Volatile.Read(ref _leaderChanges);

    /// <inheritdoc />
    public IReadOnlyList<AppliedCommands> Applied => _applied;

    /// <inheritdoc />
    public async Task StartAsync(IReadOnlyList<string> dataDirectories, CancellationToken cancellationToken)
    {
        var members = Enumerable.Range(1, dataDirectories.Count)
            .Select(i => new ClusterMember(new NodeId((ulong)i), Address(FreePort())))
            .ToList();
        for (var i = 0; i < dataDirectories.Count; i++)
        {
            var member = members[i];
            var storage = FileStorage.Open(new FileStorageOptions { Directory = dataDirectories[i] });
            var transportOptions = new RaftTransportOptions { LocalNodeId = member.Id, ClusterId = "bench" };
            var endPoint = ParseEndPoint(member.Address);
            IRaftTransport t = transport == HsmRaftTransportKind.Grpc
                ? new Transport.Grpc.GrpcRaftTransport(transportOptions, endPoint)
                : new HsmRaft.Samples.TcpTransport.TcpRaftTransport(transportOptions, endPoint);
            var applied = new AppliedCommands();
            _applied.Add(applied);
            var node = new RaftNode(
                new RaftNodeOptions
                {
                    Id = member.Id,
                    InitialMembers = members,
                    TickInterval = TimeSpan.FromMilliseconds(100),
                    SnapshotEveryEntries = 0,
                    SnapshotEveryBytes = 0,
                },
                new RecordingStateMachine(applied),
                storage.Log,
                storage.Stable,
                storage.Snapshots,
                t);
            _nodes.Add(node);
        }

        foreach (var node in _nodes)
        {
            await node.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var leaderId = await _nodes[0].WaitForLeaderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var node in _nodes)
        {
            while ((await node.WaitForLeaderAsync(cancellationToken).ConfigureAwait(false)) != leaderId)
            {
                leaderId = await _nodes[0].WaitForLeaderAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _leader = _nodes.Single(n => n.Id == leaderId);

        // Serving: the leader's no-op of its term has committed once a read barrier passes.
        await _leader.ReadBarrierAsync(cancellationToken).ConfigureAwait(false);
        _leaderTerm = _leader.Status.Term;
        foreach (var node in _nodes)
        {
            _subscriptions.Add(node.StatusChanges.Subscribe(new StatusWatcher(this)));
        }
    }

    /// <inheritdoc />
    public ValueTask ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var pending = _leader!.ProposeAsync(command, cancellationToken);
        return pending.IsCompletedSuccessfully ? default : Await(pending);

        static async ValueTask Await(ValueTask<object?> pending) => await pending.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WaitForReplicationAsync(CancellationToken cancellationToken)
    {
        var commit = _leader!.Status.CommitIndex;
        foreach (var node in _nodes)
        {
            await node.WaitForAppliedAsync(commit, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        _subscriptions.Clear();
        foreach (var node in _nodes)
        {
            await node.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        _nodes.Clear();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Address(int port) => transport == HsmRaftTransportKind.Grpc ? $"http://127.0.0.1:{port}" : $"tcp://127.0.0.1:{port}";

    private IPEndPoint ParseEndPoint(string address) => transport == HsmRaftTransportKind.Grpc
        ? Transport.Grpc.GrpcRaftTransport.ParseEndPoint(address)
        : HsmRaft.Samples.TcpTransport.TcpRaftTransport.ParseAddress(address);

    private sealed class StatusWatcher(HsmRaftCluster cluster) : IObserver<RaftStatus>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(RaftStatus value)
        {
            if (value.Term != cluster._leaderTerm || (!value.LeaderId.IsNone && value.LeaderId != cluster._leader!.Id))
            {
                Interlocked.Increment(ref cluster._leaderChanges);
            }
        }
    }

    /// <summary>Records every applied command; snapshots are not used in these runs.</summary>
    private sealed class RecordingStateMachine(AppliedCommands applied) : IRaftStateMachine
    {
        public ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken cancellationToken)
        {
            applied.Record(entry.Data);
            return ValueTask.FromResult<object?>(null);
        }

        public IRaftSnapshotSource CaptureSnapshot() => throw new NotSupportedException("Snapshots are disabled in benchmark runs.");

        public ValueTask RestoreAsync(Stream snapshot, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Snapshots are disabled in benchmark runs.");
    }
}
