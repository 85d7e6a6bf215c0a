using System.Threading.Channels;

namespace Hsm;

/// <summary>
/// Serializes access to a machine from many threads or async callers: events and queries are queued and run one at a time
/// on a single consumer loop, so the machine itself stays synchronous, lock-free and allocation-free (see docs/adr on async).
/// </summary>
/// <typeparam name="TMachine">The generated machine type.</typeparam>
public sealed class HsmMailbox<TMachine> : IAsyncDisposable
    where TMachine : class, IStateMachine
{
    private readonly TMachine _machine;
    private readonly Channel<IWorkItem> _channel;
    private readonly Task _loop;

    /// <summary>Creates the mailbox and starts its consumer loop. The machine must already be started (or be started through
    /// <see cref="InvokeAsync{TResult}"/>) and must not be used directly afterwards.</summary>
    /// <param name="machine">The machine to serialize access to.</param>
    /// <param name="capacity">Maximum queued items; callers wait when it is full (backpressure).</param>
    public HsmMailbox(TMachine machine, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _machine = machine;
        _channel = Channel.CreateBounded<IWorkItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues an event and completes when the machine has processed it (faulted if a handler threw).</summary>
    public async Task SendAsync<TEvent>(TEvent e, CancellationToken cancellationToken = default)
    {
        var item = new EventItem<TEvent>(e);
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        await item.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="query"/> on the machine between two events (e.g. to read its data or call <c>IsIn</c>).</summary>
    public async Task<TResult> InvokeAsync<TResult>(Func<TMachine, TResult> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var item = new QueryItem<TResult>(query);
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        return await item.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Stops accepting work, lets queued work finish, and waits for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        await foreach (var item in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            item.Run(_machine);
        }
    }

    private interface IWorkItem
    {
        void Run(TMachine machine);
    }

    private sealed class EventItem<TEvent>(TEvent e) : IWorkItem
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(TMachine machine)
        {
            try
            {
                machine.Send(in e);
                Done.SetResult();
            }
            catch (Exception ex)
            {
                Done.SetException(ex);
            }
        }
    }

    private sealed class QueryItem<TResult>(Func<TMachine, TResult> query) : IWorkItem
    {
        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(TMachine machine)
        {
            try
            {
                Done.SetResult(query(machine));
            }
            catch (Exception ex)
            {
                Done.SetException(ex);
            }
        }
    }
}
