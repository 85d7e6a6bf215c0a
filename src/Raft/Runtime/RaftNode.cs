using System.Collections.Concurrent;
using System.Threading.Channels;
using HsmRaft.Core;
using HsmRaft.Storage;
using HsmRaft.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HsmRaft.Runtime;

/// <summary>
/// A running Raft node. One loop owns the deterministic <see cref="RaftCore"/>: it takes inputs (messages, proposals, ticks),
/// sends the core's messages, makes its entries durable with one fsync per batch (group commit), and hands committed entries
/// to a second loop that applies them to the <see cref="IRaftStateMachine"/> and completes the proposers' tasks. The node owns
/// the storage and transport objects it is given and disposes them when it stops.
/// </summary>
public sealed partial class RaftNode : IRaftNode, IRaftMessageHandler, IAsyncDisposable
{
    private readonly RaftNodeOptions _options;
    private readonly IRaftStateMachine _stateMachine;
    private readonly IRaftLogStore _logStore;
    private readonly IRaftStableStore _stableStore;
    private readonly ISnapshotStore _snapshotStore;
    private readonly IRaftTransport _transport;
    private readonly ILogger _logger;
    private readonly Channel<NodeInput> _inbox;
    private readonly Channel<ApplyItem> _applyQueue = Channel.CreateUnbounded<ApplyItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<long, PendingProposal> _proposals = [];
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _requests = new();
    private readonly StatusSubject _statusChanges = new();
    private readonly CancellationTokenSource _stopping = new();
    private RaftCore? _core;
    private RaftStatus _status;
    private RaftStatus _published; // the last status PublishStatus announced: what role, term and configuration changes are measured from
    private ITimer? _ticker;
    private Task _loop = Task.CompletedTask;
    private Task _applyLoop = Task.CompletedTask;
    private long _nextRequestId;
    private int _state; // 0 created, 1 started, 2 stopping, 3 stopped

    /// <summary>Creates a node. Nothing happens until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it and a valid value).</exception>
    public RaftNode(
        RaftNodeOptions options,
        IRaftStateMachine stateMachine,
        IRaftLogStore logStore,
        IRaftStableStore stableStore,
        ISnapshotStore snapshotStore,
        IRaftTransport transport,
        ILogger<RaftNode>? logger = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _stateMachine = stateMachine ?? throw new ArgumentNullException(nameof(stateMachine));
        _logStore = logStore ?? throw new ArgumentNullException(nameof(logStore));
        _stableStore = stableStore ?? throw new ArgumentNullException(nameof(stableStore));
        _snapshotStore = snapshotStore ?? throw new ArgumentNullException(nameof(snapshotStore));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _inbox = Channel.CreateBounded<NodeInput>(new BoundedChannelOptions(options.InboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _status = _published = new RaftStatus(options.Id, RaftRole.Follower, 0, NodeId.None, 0, 0, 0, 0, ClusterConfiguration.Empty, false);
        Metrics = new RaftMetrics(options.Id, () => _status, meterFactory);
    }

    /// <inheritdoc />
    public NodeId Id => _options.Id;

    /// <inheritdoc />
    public RaftStatus Status => Volatile.Read(ref _failure) is null ? _status : _status with { Role = RaftRole.Follower, LeaderId = NodeId.None };

    /// <inheritdoc />
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <inheritdoc />
    public IObservable<RaftStatus> StatusChanges => _statusChanges;

    /// <summary>The node's metrics.</summary>
    public RaftMetrics Metrics { get; }

    /// <summary>The state machine this node applies to.</summary>
    public IRaftStateMachine StateMachine => _stateMachine;

    /// <summary>Opens storage, recovers, restores the state machine from the latest snapshot, starts the transport and the loops.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"Raft node {Id} was already started; a node starts once.");
        }

        var initial = await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var protocol = _options.Protocol.Clone();
        protocol.Id = _options.Id;
        if (protocol.Seed == 0)
        {
            protocol.Seed = Random.Shared.Next();
        }

        _core = new RaftCore(protocol, initial);
        _status = _published = _core.Status;
        NodeLog.Starting(_logger, Id, _status.Term, initial.Log.SnapshotIndex + 1, _status.LastLogIndex, _status.SnapshotIndex, _status.Configuration);
        UpdateTransportPeers(_core.Configuration);
        await _transport.StartAsync(this, cancellationToken).ConfigureAwait(false);

        _applyLoop = Task.Run(ApplyLoopAsync, CancellationToken.None);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        _ticker = _options.TimeProvider.CreateTimer(_ => _inbox.Writer.TryWrite(NodeInput.Tick), null, _options.TickInterval, _options.TickInterval);
    }

    /// <summary>Reads the node's durable state, bootstrapping a founding member of a new cluster on its very first start.</summary>
    private async Task<RaftCoreInitialState> RecoverAsync(CancellationToken ct)
    {
        var snapshot = await _snapshotStore.OpenAsync(ct).ConfigureAwait(false);
        var persistent = await _stableStore.LoadAsync(ct).ConfigureAwait(false);
        var log = await _logStore.OpenAsync(ct).ConfigureAwait(false);

        if (snapshot is not null)
        {
            await using var stream = await _snapshotStore.OpenReadAsync(ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Snapshot store reported snapshot {snapshot.LastIncludedIndex} but returned no data.");
            await _stateMachine.RestoreAsync(stream, ct).ConfigureAwait(false);
            _appliedIndex = snapshot.LastIncludedIndex;
            _appliedForCore = snapshot.LastIncludedIndex;
            _appliedTerm = snapshot.LastIncludedTerm;
            _appliedConfiguration = snapshot.Configuration;
            _lastSnapshotIndex = snapshot.LastIncludedIndex;
        }

        var isNew = snapshot is null && persistent is null && log.Entries.Count == 0 && log.SnapshotIndex == 0;
        if (isNew && _options.InitialMembers.Any(m => m.Id == Id))
        {
            var configuration = ClusterConfiguration.OfVoters([.. _options.InitialMembers]);
            var bootstrap = RaftCoreInitialState.Bootstrap(configuration);
            await _logStore.AppendAsync(bootstrap.Log.Entries, ct).ConfigureAwait(false);
            await _stableStore.SaveAsync(new PersistentState(bootstrap.HardState, configuration), ct).ConfigureAwait(false);
            _savedState = new PersistentState(bootstrap.HardState, configuration);
            NodeLog.Bootstrapped(_logger, Id, configuration);
            return bootstrap;
        }

        _savedState = persistent ?? new PersistentState(HardState.Empty, ClusterConfiguration.Empty);
        return new RaftCoreInitialState(_savedState.HardState, log, snapshot, _savedState.Configuration);
    }

    private PersistentState _savedState = new(HardState.Empty, ClusterConfiguration.Empty);

    /// <inheritdoc />
    public ValueTask<object?> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        // The command is copied: callers may reuse their buffer as soon as this returns, and the log keeps the bytes.
        var completion = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var input = new NodeInput { Kind = InputKind.Propose, Command = command.ToArray(), Completion = completion, Index = _options.TimeProvider.GetTimestamp() };
        if (!_inbox.Writer.TryWrite(input))
        {
            return SlowPath();
        }

        return cancellationToken.CanBeCanceled ? new ValueTask<object?>(ObserveFailure(completion.Task).WaitAsync(cancellationToken)) : new ValueTask<object?>(completion.Task);

        async ValueTask<object?> SlowPath()
        {
            await WriteInputAsync(input, cancellationToken).ConfigureAwait(false);
            return await ObserveFailure(completion.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>For a caller that may give up waiting (its token fires): it then no longer observes <paramref name="task"/>, so the
    /// task's later failure (the node stopped, say) is observed here instead of surfacing as an unobserved task exception.</summary>
    private static T ObserveFailure<T>(T task)
        where T : Task
    {
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <inheritdoc />
    public async ValueTask ReadBarrierAsync(CancellationToken cancellationToken = default)
    {
        var completion = NewRequest(out var id);
        await AwaitRequestAsync(id, completion, new NodeInput { Kind = InputKind.Read, Index = id, Completion = completion }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ChangeMembershipAsync(MembershipChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var completion = NewRequest(out var id);
        await AwaitRequestAsync(id, completion, new NodeInput { Kind = InputKind.Membership, Index = id, Change = change }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task TransferLeadershipAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        var completion = NewRequest(out var id);
        await AwaitRequestAsync(id, completion, new NodeInput { Kind = InputKind.Transfer, Index = id, Peer = target }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until this node's state machine has applied every entry up to <paramref name="index"/> (for example the index
    /// of a write observed elsewhere, to read your own writes on a follower; this is not a linearizable read).</summary>
    public Task WaitForAppliedAsync(long index, CancellationToken cancellationToken = default)
    {
        if (_status.AppliedIndex >= index)
        {
            return Task.CompletedTask;
        }

        if (Volatile.Read(ref _failure) is { } failure)
        {
            return Task.FromException(Failed(failure));
        }

        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_applyQueue.Writer.TryWrite(new ApplyItem { Barrier = barrier, Index = index }))
        {
            throw new ProposalDroppedException($"Raft node {Id} is stopped.");
        }

        return barrier.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until some node is known as leader (from this node's point of view) and returns it.</summary>
    public async Task<NodeId> WaitForLeaderAsync(CancellationToken cancellationToken = default)
    {
        var tcs = new TaskCompletionSource<NodeId>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _statusChanges.Subscribe(new StatusObserver(s =>
        {
            if (!s.LeaderId.IsNone)
            {
                tcs.TrySetResult(s.LeaderId);
            }
        }));
        if (!_status.LeaderId.IsNone)
        {
            return _status.LeaderId;
        }

        return await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    ValueTask IRaftMessageHandler.HandleAsync(Messages.RaftMessage message, CancellationToken cancellationToken)
    {
        var input = new NodeInput { Kind = InputKind.Message, Message = message };
        return _inbox.Writer.TryWrite(input) ? ValueTask.CompletedTask : WriteInputAsync(input, cancellationToken);
    }

    private TaskCompletionSource NewRequest(out long id)
    {
        id = Interlocked.Increment(ref _nextRequestId);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = completion;
        return completion;
    }

    private async Task AwaitRequestAsync(long id, TaskCompletionSource completion, NodeInput input, CancellationToken ct)
    {
        try
        {
            // Inside the try: a request that never reaches the inbox (node stopped, or cancelled) is not left registered.
            await WriteInputAsync(input, ct).ConfigureAwait(false);
            await (ct.CanBeCanceled ? ObserveFailure(completion.Task) : completion.Task).WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(id, out _);
        }
    }

    private async ValueTask WriteInputAsync(NodeInput input, CancellationToken ct)
    {
        try
        {
            await _inbox.Writer.WriteAsync(input, ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                throw Failed(failure);
            }

            throw new ProposalDroppedException($"Raft node {Id} is stopped and accepts no more requests.");
        }
    }

    private void PublishStatus(RaftStatus status)
    {
        // Not _status: the loop may have stored a newer status already (before handing committed entries to the apply loop).
        var previous = _published;
        _published = status;
        _status = status;
        if (previous.Role != status.Role || previous.Term != status.Term || previous.LeaderId != status.LeaderId)
        {
            NodeLog.RoleChanged(_logger, Id, status.Role, status.Term, status.LeaderId);
        }

        if (previous.Role == RaftRole.Leader && status.Role != RaftRole.Leader)
        {
            DropUncommittedProposals(status.CommitIndex);
        }

        if (!previous.Configuration.Equals(status.Configuration))
        {
            NodeLog.ConfigurationChanged(_logger, Id, status.Configuration);
        }

        _statusChanges.Publish(status);
    }

    private void UpdateTransportPeers(ClusterConfiguration configuration)
    {
        var peers = configuration.Members.Concat(_options.KnownPeers).Concat(_options.InitialMembers)
            .Where(m => m.Id != Id).DistinctBy(m => m.Id).ToList();
        _transport.UpdatePeers(peers);
    }

    private sealed class StatusObserver(Action<RaftStatus> onNext) : IObserver<RaftStatus>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(RaftStatus value) => onNext(value);
    }
}
