using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Testing;
using HsmRaft.Transport;
using HsmRaft.Transport.InMemory;

namespace HsmRaft.Tests.Runtime;

/// <summary>A node whose storage or state machine fails must stop (fail-stop) and fail every request, never leave one waiting.</summary>
public class NodeFailureTests
{
    [Fact]
    public async Task AFailedFsyncStopsTheNodeAndEveryLaterRequestFailsInsteadOfHanging()
    {
        var log = new FaultyLogStore();
        var node = await StartSingleNodeAsync(log, new CounterStateMachine());
        Assert.Equal(1, await node.ProposeAsync(NodeCluster.Command("a")).AsTask().WaitAsync(NodeCluster.HangGuard));

        log.Failure = new IOException("fsync failed: EIO");
        var failed = await Assert.ThrowsAnyAsync<RaftException>(() => node.ProposeAsync(NodeCluster.Command("b")).AsTask().WaitAsync(NodeCluster.HangGuard));
        Assert.IsType<IOException>(failed.InnerException);

        // The node is dead: new requests fail at once with the cause, instead of queueing for a loop that is gone.
        var later = await Assert.ThrowsAnyAsync<RaftException>(() => node.ProposeAsync(NodeCluster.Command("c")).AsTask().WaitAsync(NodeCluster.HangGuard));
        Assert.Contains("fsync failed", later.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<RaftException>(() => node.ReadBarrierAsync().AsTask().WaitAsync(NodeCluster.HangGuard));
        await Assert.ThrowsAnyAsync<RaftException>(() => node.WaitForAppliedAsync(100).WaitAsync(NodeCluster.HangGuard));

        // Monitoring sees it: the failure is exposed and the node no longer reports itself as leading.
        Assert.Contains("fsync failed", node.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(RaftRole.Follower, node.Status.Role);
        Assert.True(node.Status.LeaderId.IsNone);

        // Stopping a failed node completes (the failure was reported already) and releases its resources.
        await node.StopAsync().WaitAsync(NodeCluster.HangGuard);
        Assert.True(log.Disposed);
    }

    [Fact]
    public async Task AProposalStillInTheInboxWhenTheNodeStopsFails()
    {
        var log = new FaultyLogStore();
        var clock = new StopSignallingTimeProvider();
        var node = await StartNodeAsync(new InMemoryNetwork(), 1, [NodeCluster.Member(1)], log, new CounterStateMachine(), snapshotEvery: 0, clock: clock);
        Assert.Equal(1, await node.ProposeAsync(NodeCluster.Command("a")).AsTask().WaitAsync(NodeCluster.HangGuard));

        // The loop blocks in its fsync; a second proposal waits in the inbox behind it.
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFsync = node.ProposeAsync(NodeCluster.Command("b")).AsTask();
        await log.Entered.Task.WaitAsync(NodeCluster.HangGuard);
        var queued = node.ProposeAsync(NodeCluster.Command("c")).AsTask();

        // Stopping gives up waiting at once (the token is cancelled) and stops the loop (the ticker goes first) while it still
        // waits in the fsync: the loop ends without reading the queued proposal.
        var stop = node.StopAsync(new CancellationToken(canceled: true));
        await clock.TickerDisposed.Task.WaitAsync(NodeCluster.HangGuard);
        log.Gate.SetResult();
        await stop.WaitAsync(NodeCluster.HangGuard);

        Assert.Equal(2, await inFsync.WaitAsync(NodeCluster.HangGuard));
        await Assert.ThrowsAsync<ProposalDroppedException>(() => queued.WaitAsync(NodeCluster.HangGuard));
    }

    [Fact]
    public async Task ASecondStopWaitsUntilTheFirstHasStoppedTheNode()
    {
        var log = new FaultyLogStore();
        var node = await StartSingleNodeAsync(log, new CounterStateMachine());
        log.DisposeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = node.StopAsync();
        await log.DisposeEntered.Task.WaitAsync(NodeCluster.HangGuard); // the first stop is releasing the storage

        // A host stopping the node while something else disposes it: neither may return while the node is still stopping.
        var second = node.StopAsync();
        var third = node.DisposeAsync().AsTask();
        Assert.False(second.IsCompleted, "a second StopAsync returned while the node was still stopping");
        Assert.False(third.IsCompleted, "DisposeAsync returned while the node was still stopping");

        // Its own token bounds how long a second caller waits, as for the first.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => node.StopAsync(new CancellationToken(canceled: true)));

        log.DisposeGate.SetResult();
        await Task.WhenAll(first, second, third).WaitAsync(NodeCluster.HangGuard);
        Assert.True(log.Disposed);
        await node.StopAsync().WaitAsync(NodeCluster.HangGuard); // stopped: returns at once
    }

    [Fact]
    public async Task AStateMachineThatThrowsOperationCanceledFailsOnlyThatCommand()
    {
        var sm = new ThrowingStateMachine();
        var node = await StartSingleNodeAsync(new FaultyLogStore(), sm);
        sm.Throw = new OperationCanceledException("the state machine's own timeout");
        await Assert.ThrowsAsync<OperationCanceledException>(() => node.ProposeAsync(NodeCluster.Command("a")).AsTask().WaitAsync(NodeCluster.HangGuard));

        // The apply loop kept going: the next command applies and completes.
        sm.Throw = null;
        Assert.Equal(1, await node.ProposeAsync(NodeCluster.Command("b")).AsTask().WaitAsync(NodeCluster.HangGuard));
        await node.StopAsync().WaitAsync(NodeCluster.HangGuard);
    }

    [Fact]
    public async Task AFailedSnapshotRestoreStopsTheNodeAndLaterProposalsFail()
    {
        // Node 1 leads alone and snapshots; node 2 joins, receives the snapshot and cannot restore it.
        var leaderLog = new FaultyLogStore();
        var network = new InMemoryNetwork();
        var leader = await StartNodeAsync(network, 1, [NodeCluster.Member(1)], leaderLog, new CounterStateMachine(), snapshotEvery: 5);
        for (var i = 0; i < 12; i++)
        {
            await leader.ProposeAsync(NodeCluster.Command($"c{i}")).AsTask().WaitAsync(NodeCluster.HangGuard);
        }

        var broken = new ThrowingStateMachine { RestoreThrows = new InvalidDataException("snapshot format unknown") };
        var follower = await StartNodeAsync(network, 2, [], new FaultyLogStore(), broken, snapshotEvery: 0);
        await leader.ChangeMembershipAsync(new MembershipChange { AddLearners = [NodeCluster.Member(2)] }).WaitAsync(NodeCluster.HangGuard);
        await broken.RestoreAttempted.Task.WaitAsync(NodeCluster.HangGuard);

        // The follower is dead; a read barrier on it fails instead of waiting for a loop that no longer applies anything.
        await Assert.ThrowsAnyAsync<RaftException>(() => follower.WaitForAppliedAsync(1_000).WaitAsync(NodeCluster.HangGuard));
        await follower.StopAsync().WaitAsync(NodeCluster.HangGuard);
        await leader.StopAsync().WaitAsync(NodeCluster.HangGuard);
    }

    [Fact]
    public async Task ASnapshotTakenWhileTheInboxWasFullDoesNotStopTheNode()
    {
        var log = new FaultyLogStore();
        var sm = new ThrowingStateMachine();
        var node = await StartNodeAsync(new InMemoryNetwork(), 1, [NodeCluster.Member(1)], log, sm, snapshotEvery: 1, inboxCapacity: 16);
        Assert.Equal(1, await node.ProposeAsync(NodeCluster.Command("a")).AsTask().WaitAsync(NodeCluster.HangGuard));

        // Applying "b" waits; meanwhile the loop waits in the fsync of "c", and its inbox fills up.
        var applyB = sm.ArmApplyGate();
        var b = node.ProposeAsync(NodeCluster.Command("b")).AsTask();
        await sm.ApplyEntered.Task.WaitAsync(NodeCluster.HangGuard);
        var indexOfB = node.Status.CommitIndex;
        await sm.SnapshotsWritten().WaitAsync(NodeCluster.HangGuard); // So that applying "b" starts a snapshot.
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var c = node.ProposeAsync(NodeCluster.Command("c")).AsTask();
        await log.Entered.Task.WaitAsync(NodeCluster.HangGuard);
        var blocked = FillInbox(node);

        // "b" applies while the inbox is full (the applied index cannot be queued), and a snapshot of it starts.
        var applyC = sm.ArmApplyGate();
        var snapshot = sm.ArmCaptureGate();
        applyB.SetResult();
        Assert.Equal(2, await b.WaitAsync(NodeCluster.HangGuard));
        await sm.CaptureEntered.Task.WaitAsync(NodeCluster.HangGuard);

        // The loop drains the inbox; "c" commits but waits to apply, so nothing reports a newer applied index before the
        // snapshot of "b" is reported done.
        log.Gate.SetResult();
        await blocked.AsTask().WaitAsync(NodeCluster.HangGuard);
        await Assert.ThrowsAnyAsync<RaftException>(() => node.TransferLeadershipAsync(new NodeId(99)).WaitAsync(NodeCluster.HangGuard));
        snapshot.SetResult();
        await sm.SnapshotsWritten().WaitAsync(NodeCluster.HangGuard);
        await Assert.ThrowsAnyAsync<RaftException>(() => node.TransferLeadershipAsync(new NodeId(99)).WaitAsync(NodeCluster.HangGuard));
        Assert.Equal(indexOfB, node.Status.SnapshotIndex); // The loop has taken in the snapshot of "b", and still runs.
        applyC.SetResult();
        Assert.Equal(3, await c.WaitAsync(NodeCluster.HangGuard));
        Assert.Equal(4, await node.ProposeAsync(NodeCluster.Command("d")).AsTask().WaitAsync(NodeCluster.HangGuard));
        await node.StopAsync().WaitAsync(NodeCluster.HangGuard);
    }

    /// <summary>Queues messages for nobody until the inbox is full; returns the write that waits for room.</summary>
    private static ValueTask FillInbox(RaftNode node)
    {
        IRaftMessageHandler handler = node;
        var nobody = new Messages.Heartbeat { From = new NodeId(7), To = new NodeId(8), Term = 1 };
        while (true)
        {
            var write = handler.HandleAsync(nobody, CancellationToken.None);
            if (!write.IsCompleted)
            {
                return write;
            }
        }
    }

    [Fact]
    public async Task AProposalWhoseCallerStoppedWaitingLeavesNoUnobservedException()
    {
        var marker = "fsync failed " + Guid.NewGuid();
        var unobserved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.Flatten().InnerExceptions.Any(x => x.InnerException?.Message == marker))
            {
                unobserved.TrySetResult();
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            await ProposeGiveUpAndFailAsync(marker);
            for (var i = 0; i < 3 && !unobserved.Task.IsCompleted; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.False(unobserved.Task.IsCompleted, "a proposal's failure was left unobserved after its caller stopped waiting");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    /// <summary>The caller gives up on a proposal (its token is cancelled), then the node fails it.</summary>
    private static async Task ProposeGiveUpAndFailAsync(string failure)
    {
        var log = new FaultyLogStore();
        var node = await StartSingleNodeAsync(log, new CounterStateMachine());
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var giveUp = new CancellationTokenSource())
        {
            var proposal = node.ProposeAsync(NodeCluster.Command("b"), giveUp.Token).AsTask();
            await log.Entered.Task.WaitAsync(NodeCluster.HangGuard);
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => proposal);
        }

        log.Gate.SetException(new IOException(failure));
        await node.StopAsync().WaitAsync(NodeCluster.HangGuard);
    }

    private static Task<RaftNode> StartSingleNodeAsync(FaultyLogStore log, IRaftStateMachine sm) =>
        StartNodeAsync(new InMemoryNetwork(), 1, [NodeCluster.Member(1)], log, sm, snapshotEvery: 0);

    private static async Task<RaftNode> StartNodeAsync(
        InMemoryNetwork network, int id, List<ClusterMember> founders, FaultyLogStore log, IRaftStateMachine sm, long snapshotEvery, int inboxCapacity = 65_536, TimeProvider? clock = null)
    {
        var nodeId = new NodeId((ulong)id);
        var options = new RaftNodeOptions
        {
            Id = nodeId,
            InitialMembers = founders,
            KnownPeers = [NodeCluster.Member(1), NodeCluster.Member(2)],
            TickInterval = TimeSpan.FromMilliseconds(10),
            SnapshotEveryEntries = snapshotEvery,
            SnapshotTrailingEntries = 0,
            InboxCapacity = inboxCapacity,
            TimeProvider = clock ?? TimeProvider.System,
            Protocol = new RaftCoreOptions { ElectionTicks = 10, HeartbeatTicks = 2 },
        };
        var transport = new InMemoryTransport(network, NodeCluster.Member(id).Address, new RaftTransportOptions { LocalNodeId = nodeId, ClusterId = "test" });
        var node = new RaftNode(options, sm, log, new InMemoryStableStore(), new InMemorySnapshotStore(), transport);
        await node.StartAsync();
        if (founders.Count > 0)
        {
            await node.WaitForLeaderAsync().WaitAsync(NodeCluster.HangGuard);
        }

        return node;
    }

    /// <summary>The system clock, telling when the node disposes its ticker (the first step of stopping its loop).</summary>
    private sealed class StopSignallingTimeProvider : TimeProvider
    {
        public TaskCompletionSource TickerDisposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new SignallingTimer(System.CreateTimer(callback, state, dueTime, period), TickerDisposed);

        private sealed class SignallingTimer(ITimer inner, TaskCompletionSource disposed) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                inner.Dispose();
                disposed.TrySetResult();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>An in-memory log whose appends can be made to fail (like an fsync returning EIO) or to wait on a gate.</summary>
    private sealed class FaultyLogStore : IRaftLogStore
    {
        private readonly InMemoryLogStore _inner = new();

        public Exception? Failure { get; set; }

        public TaskCompletionSource? Gate { get; set; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Disposed { get; private set; }

        public long LastIndex => _inner.LastIndex;

        public ValueTask<LogRecovery> OpenAsync(CancellationToken cancellationToken = default) => _inner.OpenAsync(cancellationToken);

        public async ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
        {
            if (Failure is { } failure)
            {
                throw failure;
            }

            if (Gate is { } gate)
            {
                Entered.TrySetResult();
                await gate.Task;
            }

            await _inner.AppendAsync(entries, cancellationToken);
        }

        public ValueTask CompactAsync(long index, long term, CancellationToken cancellationToken = default) => _inner.CompactAsync(index, term, cancellationToken);

        public ValueTask ReadAsync(long from, long toExclusive, ICollection<LogEntry> destination, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(from, toExclusive, destination, cancellationToken);

        /// <summary>When set, disposing waits on it (after signalling <see cref="DisposeEntered"/>).</summary>
        public TaskCompletionSource? DisposeGate { get; set; }

        public TaskCompletionSource DisposeEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask DisposeAsync()
        {
            if (DisposeGate is { } gate)
            {
                DisposeEntered.TrySetResult();
                await gate.Task;
            }

            Disposed = true;
            await _inner.DisposeAsync();
        }
    }

    /// <summary>A counter state machine that throws a chosen exception when applying, or when restoring a snapshot.</summary>
    private sealed class ThrowingStateMachine : IRaftStateMachine
    {
        private readonly CounterStateMachine _inner = new();

        public Exception? Throw { get; set; }

        public Exception? RestoreThrows { get; init; }

        public TaskCompletionSource RestoreAttempted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ApplyEntered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource CaptureEntered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private TaskCompletionSource? _applyGate;
        private TaskCompletionSource? _captureGate;

        /// <summary>The next command applied waits until the returned source is completed.</summary>
        public TaskCompletionSource ArmApplyGate()
        {
            ApplyEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _applyGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        /// <summary>The next snapshot captured is written only once the returned source is completed.</summary>
        public TaskCompletionSource ArmCaptureGate()
        {
            CaptureEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _captureGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _applyGate, null) is { } gate)
            {
                ApplyEntered.TrySetResult();
                await gate.Task;
            }

            return Throw is { } e ? throw e : await _inner.ApplyAsync(entry, cancellationToken);
        }

        private readonly object _sourcesLock = new();
        private int _liveSources;
        private TaskCompletionSource _noLiveSources = Done();

        /// <summary>Completes once every snapshot captured so far was written (its source disposed).</summary>
        public Task SnapshotsWritten()
        {
            lock (_sourcesLock)
            {
                return _noLiveSources.Task;
            }
        }

        public IRaftSnapshotSource CaptureSnapshot()
        {
            lock (_sourcesLock)
            {
                if (_liveSources++ == 0)
                {
                    _noLiveSources = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            var gate = Interlocked.Exchange(ref _captureGate, null);
            CaptureEntered.TrySetResult();
            return new GatedSource(this, _inner.CaptureSnapshot(), gate?.Task ?? Task.CompletedTask);
        }

        private static TaskCompletionSource Done()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }

        private void Released()
        {
            lock (_sourcesLock)
            {
                if (--_liveSources == 0)
                {
                    _noLiveSources.SetResult();
                }
            }
        }

        private sealed class GatedSource(ThrowingStateMachine owner, IRaftSnapshotSource inner, Task gate) : IRaftSnapshotSource
        {
            public async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
            {
                await gate;
                await inner.WriteToAsync(destination, cancellationToken);
            }

            public void Dispose()
            {
                inner.Dispose();
                owner.Released();
            }
        }

        public ValueTask RestoreAsync(Stream snapshot, CancellationToken cancellationToken)
        {
            RestoreAttempted.TrySetResult();
            return RestoreThrows is { } e ? ValueTask.FromException(e) : _inner.RestoreAsync(snapshot, cancellationToken);
        }
    }
}
