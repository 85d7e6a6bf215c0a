using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Client;
using HsmRaft.Samples.KeyValueStore.Store;
using Microsoft.Extensions.Options;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// Watches the node's status changes (role, term, leader, membership, and the leaders' API addresses). It numbers them, so <c>GET /admin/status?since=V</c> can
/// long-poll for the next one instead of clients polling in a loop; and each time this node becomes leader it records its API
/// address in the replicated state (<see cref="KvOp.AnnounceApi"/>), which is how followers know where to redirect clients.
/// </summary>
internal sealed partial class StatusWatcher(RaftNode node, KvStateMachine stateMachine, IOptions<KvServiceOptions> options, ILogger<StatusWatcher> logger)
    : IHostedService, IObserver<RaftStatus>
{
    private const int HistoryLength = 64;
    private readonly Queue<StatusEventDto> _history = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;
    private long _announcedTerm;
    private IDisposable? _subscription;

    /// <summary>Increases with every status change this process has seen.</summary>
    public long Version => Volatile.Read(ref _version);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = node.StatusChanges.Subscribe(this);
        stateMachine.DirectoryChanged += Bump;
        OnNext(node.Status);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        stateMachine.DirectoryChanged -= Bump;
        return Task.CompletedTask;
    }

    /// <summary>The last status changes, oldest first.</summary>
    public IReadOnlyList<StatusEventDto> History()
    {
        lock (_history)
        {
            return [.. _history];
        }
    }

    /// <summary>Completes when the version exceeds <paramref name="since"/>, or when <paramref name="ct"/> is cancelled.</summary>
    public async Task WaitForChangeAsync(long since, CancellationToken ct)
    {
        while (Version <= since && !ct.IsCancellationRequested)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (Version > since)
            {
                return;
            }

            await changed.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // Called on the node's loop: only bookkeeping here; the announcement runs elsewhere.
    public void OnNext(RaftStatus value)
    {
        lock (_history)
        {
            var entry = new StatusEventDto(DateTimeOffset.UtcNow, value.Role.ToString(), value.Term, value.LeaderId.Value, value.Configuration.ToString());
            if (_history.Count == 0 || _history.Last() with { At = entry.At } != entry)
            {
                _history.Enqueue(entry);
                if (_history.Count > HistoryLength)
                {
                    _history.Dequeue();
                }
            }
        }

        Bump();
        if (value.Role == RaftRole.Leader && value.Term > Interlocked.Read(ref _announcedTerm))
        {
            Interlocked.Exchange(ref _announcedTerm, value.Term);
            _ = Task.Run(() => AnnounceAsync(value.Term));
        }
    }

    public void OnCompleted() => OnNext(node.Status);

    /// <summary>A change clients may wait for: a new version, and wake the long-polls.</summary>
    private void Bump()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public void OnError(Exception error)
    {
    }

    private async Task AnnounceAsync(long term)
    {
        try
        {
            var api = options.Value.Advertised;
            await node.ProposeAsync(new KvCommand(KvOp.AnnounceApi, "", api, NodeId: node.Id.Value).Encode());
            LogAnnounced(node.Id.Value, api, term);
        }
        catch (RaftException e)
        {
            // Leadership moved on before it committed; the next leader announces itself.
            LogAnnounceFailed(node.Id.Value, term, e.Message);
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Node {Node} leads term {Term}; announced its API at {Api}")]
    private partial void LogAnnounced(ulong node, string api, long term);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Debug, Message = "Node {Node} could not announce its API in term {Term}: {Reason}")]
    private partial void LogAnnounceFailed(ulong node, long term, string reason);
}
