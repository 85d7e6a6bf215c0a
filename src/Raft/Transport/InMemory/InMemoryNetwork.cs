using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace HsmRaft.Transport.InMemory;

/// <summary>
/// A simulated network for <see cref="InMemoryTransport"/>s in one process, with fault injection: random loss (seeded,
/// so a failing run replays), partitions, isolated nodes, per-link delay on an injectable <see cref="TimeProvider"/>
/// (virtual time in tests), and paused delivery. Thread-safe.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<string, InMemoryTransport> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(NodeId From, NodeId To), TimeSpan> _delays = new();
    private readonly ConcurrentDictionary<NodeId, TaskCompletionSource> _paused = new();
    private readonly Lock _faultsLock = new();
    private readonly Random _random;
    private Dictionary<NodeId, int>? _partition;
    private HashSet<NodeId> _isolated = [];
    private double _dropProbability;

    /// <summary>Creates a network.</summary>
    /// <param name="timeProvider">Clock for link delays; a FakeTimeProvider makes delays virtual. Null for the system clock.</param>
    /// <param name="seed">Seed of the loss decisions, so a run with <see cref="DropProbability"/> replays exactly.</param>
    public InMemoryNetwork(TimeProvider? timeProvider = null, int seed = 0)
    {
        Time = timeProvider ?? TimeProvider.System;
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>The clock link delays run on.</summary>
    public TimeProvider Time { get; }

    /// <summary>The seed of the loss decisions.</summary>
    public int Seed { get; }

    /// <summary>Probability in [0, 1] that any one message is lost. Default 0.</summary>
    public double DropProbability
    {
        get => Volatile.Read(ref _dropProbability);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            Volatile.Write(ref _dropProbability, value);
        }
    }

    /// <summary>Delay applied to every link without its own (<see cref="SetLinkDelay"/>). Default zero.</summary>
    public TimeSpan DefaultDelay { get; set; }

    /// <summary>Sets the one-way delay of messages from <paramref name="from"/> to <paramref name="to"/>. Messages on a
    /// link stay in order.</summary>
    public void SetLinkDelay(NodeId from, NodeId to, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _delays[(from, to)] = delay;
    }

    /// <summary>Cuts <paramref name="node"/> off from everyone (messages in both directions are lost) until <see cref="Heal"/>.</summary>
    public void Isolate(NodeId node)
    {
        lock (_faultsLock)
        {
            _isolated = [.. _isolated, node];
        }
    }

    /// <summary>Splits the network: a node can reach only the nodes of its own group, and a node in no group reaches no one.
    /// Replaces any earlier partition; <see cref="Heal"/> ends it.</summary>
    public void Partition(params IReadOnlyCollection<NodeId>[] groups)
    {
        var map = new Dictionary<NodeId, int>();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var node in groups[g])
            {
                map[node] = g;
            }
        }

        lock (_faultsLock)
        {
            _partition = map;
        }
    }

    /// <summary>Ends every partition and isolation.</summary>
    public void Heal()
    {
        lock (_faultsLock)
        {
            _partition = null;
            _isolated = [];
        }
    }

    /// <summary>Holds messages to <paramref name="node"/> (they queue, in order, and are not lost) until <see cref="ResumeDelivery"/>.</summary>
    public void PauseDelivery(NodeId node) => _paused.TryAdd(node, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Releases messages held by <see cref="PauseDelivery"/>.</summary>
    public void ResumeDelivery(NodeId node)
    {
        if (_paused.TryRemove(node, out var gate))
        {
            gate.TrySetResult();
        }
    }

    /// <summary>True when a message from <paramref name="from"/> to <paramref name="to"/> can currently get through
    /// (ignoring random loss).</summary>
    public bool CanReach(NodeId from, NodeId to)
    {
        lock (_faultsLock)
        {
            if (_isolated.Contains(from) || _isolated.Contains(to))
            {
                return false;
            }

            return _partition is null ||
                   (_partition.TryGetValue(from, out var a) && _partition.TryGetValue(to, out var b) && a == b);
        }
    }

    /// <summary>
    /// Opens a raw byte connection to the transport at <paramref name="address"/>, as a misbehaving or foreign peer
    /// would: the bytes go through the same frame validation as a network transport's. The transport must have a
    /// serializer. Used by the conformance suite's bad-input tests.
    /// </summary>
    public InMemoryRawConnection ConnectRaw(string address, string remoteAddress)
    {
        if (!_endpoints.TryGetValue(address, out var target))
        {
            throw new InvalidOperationException($"No in-memory transport listens at '{address}'.");
        }

        var pipe = new Pipe();
        var closed = target.AcceptRawAsync(pipe.Reader, remoteAddress);
        return new InMemoryRawConnection(pipe.Writer, closed);
    }

    internal void Register(string address, InMemoryTransport transport)
    {
        if (!_endpoints.TryAdd(address, transport))
        {
            throw new InvalidOperationException($"Another in-memory transport already listens at '{address}'; dispose it first or use another address.");
        }
    }

    internal void Unregister(string address, InMemoryTransport transport) =>
        _endpoints.TryRemove(new KeyValuePair<string, InMemoryTransport>(address, transport));

    internal InMemoryTransport? Find(string address) => _endpoints.GetValueOrDefault(address);

    internal TimeSpan DelayOf(NodeId from, NodeId to) => _delays.TryGetValue((from, to), out var d) ? d : DefaultDelay;

    internal Task WhenDeliverable(NodeId to) => _paused.TryGetValue(to, out var gate) ? gate.Task : Task.CompletedTask;

    internal bool ShouldDrop()
    {
        var p = DropProbability;
        if (p <= 0)
        {
            return false;
        }

        lock (_random)
        {
            return _random.NextDouble() < p;
        }
    }
}

/// <summary>A raw byte connection into an <see cref="InMemoryTransport"/> (see <see cref="InMemoryNetwork.ConnectRaw"/>).</summary>
public sealed class InMemoryRawConnection : IAsyncDisposable
{
    private readonly PipeWriter _writer;

    internal InMemoryRawConnection(PipeWriter writer, Task closed)
    {
        _writer = writer;
        Closed = closed;
    }

    /// <summary>Completes when the transport has closed the connection (it rejected the input, or the input ended).</summary>
    public Task Closed { get; }

    /// <summary>Writes bytes; silently discarded once the transport has closed the connection, as a socket's would be.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        await _writer.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

    /// <summary>Ends the byte stream, as closing a socket's sending side would.</summary>
    public ValueTask CompleteAsync() => _writer.CompleteAsync();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _writer.CompleteAsync();
}
