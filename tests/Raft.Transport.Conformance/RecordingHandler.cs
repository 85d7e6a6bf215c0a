using HsmRaft.Messages;

namespace HsmRaft.Transport.Conformance;

/// <summary>
/// An <see cref="IRaftMessageHandler"/> that records what it receives and lets a test await a condition on it (no
/// polling: waiters are re-checked on every message). It can be held shut (<see cref="Block"/>) to play a busy or
/// stuck node, and it measures how many calls from one sender overlap.
/// </summary>
public sealed class RecordingHandler : IRaftMessageHandler
{
    private readonly Lock _lock = new();
    private readonly List<RaftMessage> _received = [];
    private readonly List<(Func<IReadOnlyList<RaftMessage>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly Dictionary<NodeId, int> _inFlight = [];
    private TaskCompletionSource? _gate;

    /// <summary>The most calls from one sender that were in progress at once.</summary>
    public int MaxConcurrencyPerSender { get; private set; }

    /// <summary>A copy of everything received, in arrival order.</summary>
    public IReadOnlyList<RaftMessage> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>From now on every call waits (after being recorded) until <see cref="Release"/> or cancellation.</summary>
    public void Block()
    {
        lock (_lock)
        {
            _gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets blocked and future calls complete.</summary>
    public void Release()
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            gate = _gate;
            _gate = null;
        }

        gate?.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask HandleAsync(RaftMessage message, CancellationToken cancellationToken)
    {
        Task? gate;
        lock (_lock)
        {
            _received.Add(message);
            var inFlight = _inFlight.GetValueOrDefault(message.From) + 1;
            _inFlight[message.From] = inFlight;
            MaxConcurrencyPerSender = Math.Max(MaxConcurrencyPerSender, inFlight);
            gate = _gate?.Task;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_received))
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        try
        {
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            lock (_lock)
            {
                _inFlight[message.From]--;
            }
        }
    }

    /// <summary>Completes when <paramref name="condition"/> holds for the messages received so far.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="hangGuard"/>; the message says what was received.</exception>
    public async Task WaitUntilAsync(Func<IReadOnlyList<RaftMessage>, bool> condition, TimeSpan hangGuard, string description)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_received))
            {
                return;
            }

            _waiters.Add((condition, done));
        }

        try
        {
            await done.Task.WaitAsync(hangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {hangGuard} waiting for: {description}. Received {Received.Count} message(s); last: {Received.LastOrDefault()}");
        }
    }

    /// <summary>Completes when a message matching <paramref name="match"/> has been received, and returns it.</summary>
    public async Task<RaftMessage> WaitForAsync(Func<RaftMessage, bool> match, TimeSpan hangGuard, string description)
    {
        await WaitUntilAsync(list => list.Any(match), hangGuard, description);
        return Received.First(match);
    }
}
