using System.Text;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Transport;
using HsmRaft.Transport.InMemory;
using HsmRaft.Testing;

namespace HsmRaft.Tests.Runtime;

/// <summary>Real <see cref="RaftNode"/>s in one process over the in-memory transport, with in-memory storage that survives a
/// node's stop (so a restart recovers). Waits are on real events, with a generous timeout only as a hang guard.</summary>
internal sealed class NodeCluster : IAsyncDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    private readonly InMemoryNetwork _network = new();
    private readonly Dictionary<NodeId, (InMemoryLogStore Log, InMemoryStableStore Stable, InMemorySnapshotStore Snapshots)> _storage = [];
    private readonly List<ClusterMember> _founders;

    public NodeCluster(int founders, long snapshotEveryEntries = 0, int snapshotChunkSize = 1 << 20)
    {
        _founders = Enumerable.Range(1, founders).Select(i => Member(i)).ToList();
        SnapshotEveryEntries = snapshotEveryEntries;
        SnapshotChunkSize = snapshotChunkSize;
    }

    public long SnapshotEveryEntries { get; }

    /// <summary>The in-memory network, for partitions.</summary>
    public InMemoryNetwork Network => _network;

    public int SnapshotChunkSize { get; }

    public Dictionary<NodeId, RaftNode> Nodes { get; } = [];

    public Dictionary<NodeId, CounterStateMachine> StateMachines { get; } = [];

    public static ClusterMember Member(int id) => new(new NodeId((ulong)id), $"inmem://{id}");

    public async Task StartAsync(int id, bool founder = true)
    {
        var nodeId = new NodeId((ulong)id);
        if (!_storage.TryGetValue(nodeId, out var storage))
        {
            storage = (new InMemoryLogStore(), new InMemoryStableStore(), new InMemorySnapshotStore());
            _storage[nodeId] = storage;
        }

        var options = new RaftNodeOptions
        {
            Id = nodeId,
            InitialMembers = founder ? _founders : [],
            KnownPeers = _founders,
            TickInterval = TimeSpan.FromMilliseconds(10),
            SnapshotEveryEntries = SnapshotEveryEntries,
            SnapshotTrailingEntries = 5,
            Protocol = new RaftCoreOptions { ElectionTicks = 10, HeartbeatTicks = 2, SnapshotChunkSize = SnapshotChunkSize },
        };
        var transport = new InMemoryTransport(_network, Member(id).Address, new RaftTransportOptions { LocalNodeId = nodeId, ClusterId = "test" });
        var sm = new CounterStateMachine();
        var node = new RaftNode(options, sm, storage.Log, storage.Stable, storage.Snapshots, transport);
        Nodes[nodeId] = node;
        StateMachines[nodeId] = sm;
        await node.StartAsync();
    }

    public async Task StartAllAsync()
    {
        foreach (var m in _founders)
        {
            await StartAsync((int)m.Id.Value);
        }
    }

    public async Task StopAsync(NodeId id)
    {
        await Nodes[id].StopAsync();
        Nodes.Remove(id);
    }

    /// <summary>Waits until every running node agrees on one leader and returns it.</summary>
    public async Task<RaftNode> WaitForLeaderAsync()
    {
        using var cts = new CancellationTokenSource(HangGuard);
        while (true)
        {
            // Subscribe before looking: a change between the look and the subscription would otherwise be missed, and once the
            // cluster settles no further change comes to wake the wait.
            using var changed = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            var next = Task.WhenAny(Nodes.Values.Select(n => NextStatusAsync(n, changed.Token)));
            var leaders = Nodes.Values.Where(n => n.Status.Role == RaftRole.Leader).ToList();
            if (leaders.Count == 1 && Nodes.Values.All(n => n.Status.LeaderId == leaders[0].Id))
            {
                await changed.CancelAsync();
                return leaders[0];
            }

            await next;
            await changed.CancelAsync();
            cts.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits until every running node has applied at least <paramref name="index"/>.</summary>
    public async Task WaitForAppliedAsync(long index)
    {
        using var cts = new CancellationTokenSource(HangGuard);
        try
        {
            foreach (var node in Nodes.Values)
            {
                await node.WaitForAppliedAsync(index, cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Not every node applied index {index}: " + string.Join("; ", Nodes.Values.Select(n => n.Status)));
        }
    }

    private static Task NextStatusAsync(RaftNode node, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sub = node.StatusChanges.Subscribe(new Observer(() => tcs.TrySetResult()));
        return tcs.Task.WaitAsync(ct).ContinueWith(_ => sub.Dispose(), TaskScheduler.Default);
    }

    public static ReadOnlyMemory<byte> Command(string text) => Encoding.UTF8.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Values)
        {
            await node.StopAsync();
        }
    }

    private sealed class Observer(Action onNext) : IObserver<RaftStatus>
    {
        public void OnCompleted() => onNext();

        public void OnError(Exception error) => onNext();

        public void OnNext(RaftStatus value) => onNext();
    }
}
