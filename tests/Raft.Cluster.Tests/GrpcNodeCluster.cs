using System.Net;
using System.Net.Sockets;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Store;
using HsmRaft.Storage;
using HsmRaft.Transport;
using HsmRaft.Transport.Grpc;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// <see cref="RaftNode"/>s in this process, each with the real gRPC transport on its own loopback port and real file storage in
/// its own directory, applying to the key-value sample's state machine. A node can be stopped hard (no leadership hand-over) and
/// restarted on the same directory. Waits are on the nodes' own events with a hang guard.
/// </summary>
internal sealed class GrpcNodeCluster : IAsyncDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("grpc");
    private readonly Dictionary<NodeId, ClusterMember> _addresses = [];
    private readonly List<ClusterMember> _founders;
    private readonly long _snapshotEvery;

    public GrpcNodeCluster(int founders, long snapshotEvery = 0)
    {
        _snapshotEvery = snapshotEvery;
        _founders = Enumerable.Range(1, founders).Select(i => Address((ulong)i)).ToList();
    }

    public Dictionary<NodeId, RaftNode> Nodes { get; } = [];

    public Dictionary<NodeId, KvStateMachine> StateMachines { get; } = [];

    /// <summary>The node's address: a loopback port chosen once, kept across restarts.</summary>
    public ClusterMember Address(ulong id)
    {
        var nodeId = new NodeId(id);
        if (!_addresses.TryGetValue(nodeId, out var member))
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            member = new ClusterMember(nodeId, $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}");
            _addresses[nodeId] = member;
        }

        return member;
    }

    /// <summary>Starts (or restarts, on its existing directory) a node; a non-founder starts empty and waits to be added.</summary>
    public async Task<RaftNode> StartAsync(ulong id)
    {
        var member = Address(id);
        var founder = _founders.Any(f => f.Id == member.Id);
        var storage = FileStorage.Open(new FileStorageOptions { Directory = Path.Combine(_directory.Path, $"node{id}") });
        var transport = new GrpcRaftTransport(new RaftTransportOptions { LocalNodeId = member.Id, ClusterId = "grpc-tests" }, GrpcRaftTransport.ParseEndPoint(member.Address));
        var stateMachine = new KvStateMachine();
        var node = new RaftNode(new RaftNodeOptions
        {
            Id = member.Id,
            InitialMembers = founder ? _founders : [],
            KnownPeers = _founders,
            TickInterval = TimeSpan.FromMilliseconds(100),
            SnapshotEveryEntries = _snapshotEvery,
            SnapshotTrailingEntries = 10,
            Protocol = new RaftCoreOptions { ElectionTicks = 15, HeartbeatTicks = 1 },
        }, stateMachine, storage.Log, storage.Stable, storage.Snapshots, transport);
        await node.StartAsync();
        Nodes[member.Id] = node;
        StateMachines[member.Id] = stateMachine;
        return node;
    }

    /// <summary>Stops a node without handing leadership over (a cancelled stop skips the transfer): the others must elect.</summary>
    public async Task StopHardAsync(NodeId id)
    {
        await Nodes[id].StopAsync(new CancellationToken(canceled: true));
        Nodes.Remove(id);
        StateMachines.Remove(id);
    }

    /// <summary>Waits until every running node names the same leader, which leads, in a term above <paramref name="aboveTerm"/>.</summary>
    public async Task<RaftNode> WaitForLeaderAsync(long aboveTerm = 0)
    {
        using var timeout = new CancellationTokenSource(HangGuard);
        while (true)
        {
            // Subscribe before checking, so a change between the check and the wait is not missed.
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var subscriptions = Nodes.Values.Select(n => n.StatusChanges.Subscribe(new Observer(() => changed.TrySetResult()))).ToList();
            try
            {
                var leaders = Nodes.Values.Where(n => n.Status.Role == RaftRole.Leader && n.Status.Term > aboveTerm).ToList();
                if (leaders.Count == 1 && Nodes.Values.All(n => n.Status.LeaderId == leaders[0].Id))
                {
                    return leaders[0];
                }

                await changed.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No agreed leader: " + string.Join("; ", Nodes.Values.Select(n => n.Status)));
            }
            finally
            {
                subscriptions.ForEach(s => s.Dispose());
            }
        }
    }

    /// <summary>Waits until every running node has applied <paramref name="index"/>.</summary>
    public async Task WaitForAppliedAsync(long index)
    {
        using var timeout = new CancellationTokenSource(HangGuard);
        try
        {
            await Task.WhenAll(Nodes.Values.Select(n => n.WaitForAppliedAsync(index, timeout.Token)));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Not every node applied {index}: " + string.Join("; ", Nodes.Values.Select(n => n.Status)));
        }
    }

    public static ReadOnlyMemory<byte> Put(string key, string value) => new KvCommand(KvOp.Put, key, value).Encode();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Values)
        {
            await node.StopAsync(new CancellationToken(canceled: true));
        }

        _directory.Dispose();
    }

    private sealed class Observer(Action onChange) : IObserver<RaftStatus>
    {
        public void OnCompleted() => onChange();

        public void OnError(Exception error) => onChange();

        public void OnNext(RaftStatus value) => onChange();
    }
}
