using System.Diagnostics.CodeAnalysis;
using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// The deterministic simulator: N <see cref="SimNode"/>s, a <see cref="SimNetwork"/>, one <see cref="EventLoop"/> on virtual
/// time and one <see cref="System.Random"/> seeded from <see cref="SimOptions.Seed"/> that every random choice comes from
/// (network delays and faults, disk latency, election-timeout seeds of the cores, clients, faults injected by tests).
/// Any broken invariant throws a <see cref="SimulationFailure"/> that names the seed and the replay command.
/// </summary>
internal sealed partial class Cluster
{
    private long _requestIds;

    /// <param name="options">The run's settings.</param>
    /// <param name="random">The generator every random choice comes from; by default a new one seeded with <see cref="SimOptions.Seed"/>
    /// (a random run passes the generator it already drew its parameters from).</param>
    public Cluster(SimOptions options, Random? random = null)
    {
        Options = options;
        Random = random ?? new Random(options.Seed);
        TraceLog = new TraceLog(Math.Max(400, options.TraceLinesOnFailure));
        Network = new SimNetwork(this) { Faults = options.Network };
        Checker = new InvariantChecker(this);
        var members = Enumerable.Range(1, options.Nodes).Select(i => Member((ulong)i)).ToArray();
        InitialConfiguration = ClusterConfiguration.OfVoters(members);
        foreach (var m in members)
        {
            var node = new SimNode(this, m.Id);
            node.Storage.Initialize(RaftCoreInitialState.Bootstrap(InitialConfiguration));
            Nodes[m.Id] = node;
        }

        foreach (var node in Nodes.Values)
        {
            node.Start();
        }
    }

    public SimOptions Options { get; }

    public Random Random { get; }

    public EventLoop Loop { get; } = new();

    public TraceLog TraceLog { get; }

    public SimNetwork Network { get; }

    public InvariantChecker Checker { get; }

    public ClusterConfiguration InitialConfiguration { get; }

    /// <summary>Every node ever created, by id (crashed and removed ones included).</summary>
    public SortedDictionary<NodeId, SimNode> Nodes { get; } = [];

    public long NowTicks => Loop.NowTicks;

    public int ElectionTicks => Options.CoreOptions(1, 0).ElectionTicks;

    public static ClusterMember Member(ulong id) => new(new NodeId(id), $"sim://node{id}");

    public SimNode this[NodeId id] => Nodes[id];

    public SimNode this[ulong id] => Nodes[new NodeId(id)];

    /// <summary>Creates a node with an empty disk (it waits to be added to the cluster by a membership change).</summary>
    public SimNode AddEmptyNode(NodeId id)
    {
        var node = new SimNode(this, id);
        Nodes[id] = node;
        node.Start();
        return node;
    }

    public long NextRequestId() => ++_requestIds;

    public long DiskLatency() =>
        Options.DiskLatencyMax <= 0 ? 0 : Options.DiskLatencyMin + Random.NextInt64(Options.DiskLatencyMax - Options.DiskLatencyMin + 1);

    public void Deliver(RaftMessage m)
    {
        if (Nodes.TryGetValue(m.To, out var node) && node.IsUp)
        {
            node.Input("recv", m, c => c.Step(m));
        }
        else
        {
            Trace("lost", m.To, m);
        }
    }

    public void Trace(string kind, NodeId node, object? detail) => TraceLog.Add(Loop.Now, node, kind, detail);

    [DoesNotReturn]
    public void Fail(string invariant, string details) => Fail(invariant, details, null);

    [DoesNotReturn]
    public void Fail(string invariant, string details, Exception? inner) =>
        throw new SimulationFailure(invariant, details + "\n  nodes:\n    " + string.Join("\n    ", Nodes.Values), Options, Loop.Now,
            TraceLog.Tail(Options.TraceLinesOnFailure), inner);

    public void RunTicks(double ticks) => Loop.RunUntil(Loop.Now + SimTime.Ticks(ticks));

    /// <summary>Runs until <paramref name="condition"/> holds (checked every quarter tick) or <paramref name="maxTicks"/> pass.</summary>
    public bool RunUntil(Func<bool> condition, double maxTicks)
    {
        var deadline = Loop.Now + SimTime.Ticks(maxTicks);
        while (!condition())
        {
            if (Loop.Now >= deadline)
            {
                return false;
            }

            Loop.RunUntil(Math.Min(deadline, Loop.Now + (SimTime.TickMicros / 4)));
        }

        return true;
    }

    /// <summary>Up nodes that the network has not isolated.</summary>
    public IEnumerable<SimNode> Connected => Nodes.Values.Where(n => n.IsUp && !Network.IsIsolated(n.Id));

    public IEnumerable<SimNode> Up => Nodes.Values.Where(n => n.IsUp);

    /// <summary>The leader with the highest term among up nodes, if any.</summary>
    public SimNode? CurrentLeader =>
        Up.Where(n => n.Core!.IsLeader).OrderByDescending(n => n.Core!.Status.Term).FirstOrDefault();

    /// <summary>A hash of the whole run: every traced event plus every node's final log and state machine.</summary>
    public ulong FinalHash()
    {
        foreach (var n in Nodes.Values)
        {
            TraceLog.Mix(n.Id.Value);
            TraceLog.Mix((ulong)n.Storage.HardState.Term);
            TraceLog.Mix((ulong)n.Storage.LastIndex);
            TraceLog.Mix(n.Kv.Chain);
            if (n.Storage is FileSimStorage file)
            {
                TraceLog.Mix((ulong)file.Disk.MutationCount);
                TraceLog.Mix((ulong)file.Disk.SyncCount);
            }

            TraceLog.Mix((ulong)n.Kv.Applied);
        }

        TraceLog.Mix((ulong)Loop.EventsRun);
        return TraceLog.Hash;
    }
}
