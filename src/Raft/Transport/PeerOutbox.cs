using System.Threading.Channels;

namespace HsmRaft.Transport;

/// <summary>
/// The bounded, ordered queue of messages waiting for one peer, and the counters behind its <see cref="PeerHealth"/>.
/// When full, the oldest message is dropped (Raft resends what matters, and newer messages supersede older ones), so a
/// slow or dead peer holds at most <c>capacity</c> messages and never blocks <see cref="IRaftTransport.Send"/>.
/// One reader (the peer's writer loop), any number of writers.
/// </summary>
/// <typeparam name="T">What is queued: a message, or a message with transport-specific data.</typeparam>
public sealed class PeerOutbox<T>
{
    private readonly Channel<T> _channel;
    private long _dropped;
    private long _sentMessages;
    private long _sentBatches;
    private int _consecutiveFailures;
    private int _connected;
    private long _lastSuccessTicks;

    /// <summary>Creates an outbox that holds at most <paramref name="capacity"/> messages.</summary>
    public PeerOutbox(int capacity)
    {
        _channel = Channel.CreateBounded<T>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>The queue's reading end, for the peer's writer loop.</summary>
    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>Queues an item, dropping the oldest when full; counts a drop when the outbox is closed.</summary>
    public void Enqueue(T item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Stops accepting items and discards what is queued (the peer was removed or the transport stopped).</summary>
    public void Close()
    {
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Records a batch of <paramref name="messages"/> written to the peer at <paramref name="now"/>.</summary>
    public void RecordSent(int messages, DateTimeOffset now)
    {
        Interlocked.Add(ref _sentMessages, messages);
        Interlocked.Increment(ref _sentBatches);
        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _lastSuccessTicks, now.UtcTicks);
    }

    /// <summary>Records messages discarded by the transport (too large, or lost with a failed connection).</summary>
    public void RecordDropped(int messages) => Interlocked.Add(ref _dropped, messages);

    /// <summary>Records a connection established.</summary>
    public void RecordConnected() => Volatile.Write(ref _connected, 1);

    /// <summary>Records a failed connect or a lost connection; returns the number of failures in a row.</summary>
    public int RecordFailure()
    {
        Volatile.Write(ref _connected, 0);
        return Interlocked.Increment(ref _consecutiveFailures);
    }

    /// <summary>The transport's current view of the peer.</summary>
    public PeerHealth Health
    {
        get
        {
            var ticks = Volatile.Read(ref _lastSuccessTicks);
            return new PeerHealth(
                Volatile.Read(ref _connected) == 1,
                Volatile.Read(ref _consecutiveFailures),
                _channel.Reader.CanCount ? _channel.Reader.Count : 0,
                Interlocked.Read(ref _dropped),
                ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero))
            {
                SentMessages = Interlocked.Read(ref _sentMessages),
                SentBatches = Interlocked.Read(ref _sentBatches),
            };
        }
    }
}
