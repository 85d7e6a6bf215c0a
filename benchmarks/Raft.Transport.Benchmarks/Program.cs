using System.Diagnostics;
using System.Net;
using HsmRaft;
using HsmRaft.Messages;
using HsmRaft.Samples.CustomSerializer;
using HsmRaft.Samples.TcpTransport;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport;
using HsmRaft.Transport.Grpc;
using HsmRaft.Transport.InMemory;

// Streams messages from node 1 to node 2 over each transport and reports messages/s and MB/s, so the transports
// (and the two serializers) are measured against each other in one run on one machine.
// Usage: dotnet run -c Release --project benchmarks/Raft.Transport.Benchmarks [-- <small messages> <batches>]
var smallCount = args.Length > 0 ? int.Parse(args[0]) : 300_000;
var batchCount = args.Length > 1 ? int.Parse(args[1]) : 3_000;
var entry = new byte[1024];
Random.Shared.NextBytes(entry);

var network = new InMemoryNetwork(); // replaced per run; the in-memory factory below captures the variable
var transports = new (string Name, Func<RaftTransportOptions, IRaftTransport> Create, Func<IRaftTransport, string> Address)[]
{
    ("in-memory, protobuf frames", o => new InMemoryTransport(network, $"inmem://{o.LocalNodeId}", o, ProtobufRaftMessageSerializer.Instance), t => ((InMemoryTransport)t).Address),
    ("gRPC h2c, protobuf", o => new GrpcRaftTransport(o, new IPEndPoint(IPAddress.Loopback, 0)), t => ((GrpcRaftTransport)t).Address),
    ("gRPC h2c, compact serializer", o => new GrpcRaftTransport(o, new IPEndPoint(IPAddress.Loopback, 0), CompactBinarySerializer.Instance), t => ((GrpcRaftTransport)t).Address),
    ("TCP sample, protobuf", o => new TcpRaftTransport(o, new IPEndPoint(IPAddress.Loopback, 0)), t => ((TcpRaftTransport)t).Address),
    ("TCP sample, compact serializer", o => new TcpRaftTransport(o, new IPEndPoint(IPAddress.Loopback, 0), CompactBinarySerializer.Instance), t => ((TcpRaftTransport)t).Address),
};

Console.WriteLine($"{smallCount:N0} heartbeats (~60 B framed), then {batchCount:N0} AppendEntries of 64 x 1 KiB entries, node 1 -> node 2");
var runs = 0;
Console.WriteLine($"{"transport",-32} {"heartbeats/s",14} {"entries/s",12} {"MB/s",8} {"batches/write",14}");
foreach (var (name, create, address) in transports.Concat(transports))
{
    network = new InMemoryNetwork();
    await using var sender = create(Options(1));
    await using var receiver = create(Options(2));
    var counter = new CountingHandler();
    await sender.StartAsync(new CountingHandler());
    await receiver.StartAsync(counter);
    sender.UpdatePeers([new ClusterMember(2, address(receiver))]);
    receiver.UpdatePeers([new ClusterMember(1, address(sender))]);

    var beats = await RunAsync(counter, smallCount, i => new Heartbeat { From = 1, To = 2, Term = 1, Context = i }, sender);
    var appends = await RunAsync(counter, batchCount, i => new AppendEntries
    {
        From = 1, To = 2, Term = 1, PrevLogIndex = i * 64L, PrevLogTerm = 1,
        Entries = [.. Enumerable.Range(1, 64).Select(k => new LogEntry(i * 64L + k, 1, LogEntryKind.Command, entry))],
    }, sender);
    var health = sender.GetPeerHealth(2);
    if (++runs <= transports.Length)
    {
        continue; // the first round warms up the JIT, Kestrel and the connection pools
    }

    Console.WriteLine($"{name,-32} {smallCount / beats.TotalSeconds,14:N0} {batchCount * 64 / appends.TotalSeconds,12:N0} " +
                      $"{batchCount * 64 * 1024 / appends.TotalSeconds / 1e6,8:N0} {(double)health.SentMessages / health.SentBatches,14:N1}");
}

static RaftTransportOptions Options(NodeId id) => new() { LocalNodeId = id, ClusterId = "bench", PeerQueueCapacity = 1 << 20 };

// Sends in windows so the outbox never overflows (the core's in-flight limit plays this role in a real cluster).
static async Task<TimeSpan> RunAsync(CountingHandler counter, int count, Func<int, RaftMessage> make, IRaftTransport sender)
{
    const int window = 20_000;
    counter.Reset();
    var clock = Stopwatch.StartNew();
    for (var sent = 0; sent < count;)
    {
        var upTo = Math.Min(count, counter.Count + window);
        for (; sent < upTo; sent++)
        {
            sender.Send(make(sent));
        }

        await counter.WaitForAsync(Math.Max(0, sent - window / 2));
    }

    await counter.WaitForAsync(count);
    return clock.Elapsed;
}

internal sealed class CountingHandler : IRaftMessageHandler
{
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => Volatile.Read(ref _count);

    public void Reset() => _count = 0;

    public ValueTask HandleAsync(RaftMessage message, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _target))
        {
            _reached.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    public async Task WaitForAsync(int count)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, count);
        if (Count < count)
        {
            await _reached.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
    }
}
