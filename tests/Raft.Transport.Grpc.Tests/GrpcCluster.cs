using System.Net;
using System.Text;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Testing;
using HsmRaft.Transport.Conformance;

namespace HsmRaft.Transport.Grpc.Tests;

/// <summary>
/// Real <see cref="RaftNode"/>s talking over real gRPC on loopback. Each node's transport listens first (port 0) so the
/// cluster configuration can name every address; storage is in memory and survives a node's stop, so a restart on the
/// same address recovers and catches up over the network.
/// </summary>
internal sealed class GrpcCluster(int size, long snapshotEveryEntries = 0, int snapshotChunkSize = 1 << 20) : IAsyncDisposable
{
    public const string ClusterId = "grpc-cluster";
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly Dictionary<NodeId, (InMemoryLogStore Log, InMemoryStableStore Stable, InMemorySnapshotStore Snapshots)> _storage = [];
    private List<ClusterMember> _members = [];

    public RecordingLoggerFactory Logs { get; } = new();

    public IReadOnlyList<ClusterMember> Members => _members;

    public Dictionary<NodeId, RaftNode> Nodes { get; } = [];

    public Dictionary<NodeId, GrpcRaftTransport> Transports { get; } = [];

    public Dictionary<NodeId, CounterStateMachine> StateMachines { get; } = [];

    public async Task StartAllAsync()
    {
        for (var i = 1UL; i <= (ulong)size; i++)
        {
            var transport = CreateTransport(i, new IPEndPoint(IPAddress.Loopback, 0));
            await transport.ListenAsync();
            _members.Add(new ClusterMember(i, transport.Address));
        }

        foreach (var member in _members)
        {
            await StartNodeAsync(member.Id, Transports[member.Id]);
        }
    }

    /// <summary>Starts a node that is not in the configuration yet (it waits to be added); returns its member entry.</summary>
    public async Task<ClusterMember> StartNewMemberAsync(NodeId id)
    {
        var transport = CreateTransport(id, new IPEndPoint(IPAddress.Loopback, 0));
        await transport.ListenAsync();
        var member = new ClusterMember(id, transport.Address);
        await StartNodeAsync(id, transport, founder: false);
        _members.Add(member);
        return member;
    }

    /// <summary>Starts a stopped node again on its old address, with the storage it had.</summary>
    public Task RestartAsync(NodeId id) =>
        StartNodeAsync(id, CreateTransport(id, GrpcRaftTransport.ParseEndPoint(_members.Single(m => m.Id == id).Address)));

    public async Task StopAsync(NodeId id)
    {
        await Nodes[id].StopAsync().WaitAsync(HangGuard);
        Nodes.Remove(id);
        Transports.Remove(id);
    }

    /// <summary>Waits until every running node follows the same leader and returns it.</summary>
    public async Task<RaftNode> WaitForLeaderAsync()
    {
        using var timeout = new CancellationTokenSource(HangGuard);
        while (true)
        {
            var changed = Task.WhenAny(Nodes.Values.Select(n => NextStatusAsync(n, timeout.Token)));
            var leaders = Nodes.Values.Where(n => n.Status.Role == RaftRole.Leader).ToList();
            if (leaders.Count == 1 && Nodes.Values.All(n => n.Status.LeaderId == leaders[0].Id))
            {
                return leaders[0];
            }

            await changed;
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException("No stable leader: " + string.Join("; ", Nodes.Values.Select(n => n.Status)));
            }
        }
    }

    public async Task WaitForAppliedAsync(long index)
    {
        using var timeout = new CancellationTokenSource(HangGuard);
        try
        {
            await Task.WhenAll(Nodes.Values.Select(n => n.WaitForAppliedAsync(index, timeout.Token)));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Not every node applied index {index}: " + string.Join("; ", Nodes.Values.Select(n => n.Status)));
        }
    }

    /// <summary>Proposes <paramref name="count"/> commands of <paramref name="bytes"/> bytes each on the leader and waits
    /// until every running node has applied them. If leadership moves meanwhile (an election under the load of a full test
    /// run), a command the old leader refused (<see cref="NotLeaderException"/>: never appended, so safe to resend) goes to
    /// the new leader; the next steps of a test should then ask <see cref="WaitForLeaderAsync"/> who leads.</summary>
    public async Task ReplicateAsync(RaftNode leader, string prefix, int count, int bytes = 16)
    {
        for (var i = 0; i < count; i++)
        {
            var command = Encoding.UTF8.GetBytes($"{prefix}{i}:".PadRight(bytes, '.'));
            while (true)
            {
                try
                {
                    await leader.ProposeAsync(command).AsTask().WaitAsync(HangGuard);
                    break;
                }
                catch (NotLeaderException)
                {
                    leader = await WaitForLeaderAsync();
                }
            }
        }

        await WaitForAppliedAsync(leader.Status.CommitIndex);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Values)
        {
            await node.StopAsync().WaitAsync(HangGuard);
        }

        foreach (var transport in Transports.Values)
        {
            await transport.DisposeAsync();
        }
    }

    private GrpcRaftTransport CreateTransport(NodeId id, IPEndPoint endpoint)
    {
        var transport = new GrpcRaftTransport(
            new RaftTransportOptions
            {
                LocalNodeId = id,
                ClusterId = ClusterId,
                ReconnectBackoffMin = TimeSpan.FromMilliseconds(20),
                ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
            },
            endpoint,
            loggerFactory: Logs);
        Transports[id] = transport;
        return transport;
    }

    private async Task StartNodeAsync(NodeId id, GrpcRaftTransport transport, bool founder = true)
    {
        if (!_storage.TryGetValue(id, out var storage))
        {
            storage = (new InMemoryLogStore(), new InMemoryStableStore(), new InMemorySnapshotStore());
            _storage[id] = storage;
        }

        var options = new RaftNodeOptions
        {
            Id = id,
            InitialMembers = founder ? _members : [],
            KnownPeers = [.. _members],
            TickInterval = TimeSpan.FromMilliseconds(20),
            SnapshotEveryEntries = snapshotEveryEntries,
            SnapshotTrailingEntries = 5,
            Protocol = new RaftCoreOptions { ElectionTicks = 15, HeartbeatTicks = 3, SnapshotChunkSize = snapshotChunkSize },
        };
        var stateMachine = new CounterStateMachine();
        var node = new RaftNode(options, stateMachine, storage.Log, storage.Stable, storage.Snapshots, transport, new Microsoft.Extensions.Logging.Logger<RaftNode>(Logs));
        Nodes[id] = node;
        StateMachines[id] = stateMachine;
        await node.StartAsync().WaitAsync(HangGuard);
    }

    private static Task NextStatusAsync(RaftNode node, CancellationToken cancellationToken)
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = node.StatusChanges.Subscribe(new Observer(next));
        return next.Task.WaitAsync(cancellationToken).ContinueWith(_ => subscription.Dispose(), TaskScheduler.Default);
    }

    private sealed class Observer(TaskCompletionSource next) : IObserver<RaftStatus>
    {
        public void OnCompleted() => next.TrySetResult();

        public void OnError(Exception error) => next.TrySetResult();

        public void OnNext(RaftStatus value) => next.TrySetResult();
    }
}
