using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Tests.Core.Harness;

/// <summary>
/// Cores joined by a scriptable network. Nothing moves unless the test says so: <see cref="Process"/> performs pending Ready
/// batches (sending puts messages in flight), <see cref="Deliver"/> hands chosen in-flight messages to their addressees in
/// FIFO order, <see cref="Take"/> removes messages (to drop them, or to hold and <see cref="Inject"/> them later), and
/// <see cref="Stabilize"/> repeats process-and-deliver until the network is quiet. Crashed nodes and cut links drop traffic.
/// There is no clock and no randomness beyond each core's seeded election timeouts, so every run is identical.
/// </summary>
internal sealed class TestCluster
{
    private readonly List<RaftMessage> _inFlight = [];
    private readonly HashSet<NodeId> _down = [];
    private readonly HashSet<(NodeId From, NodeId To)> _cut = [];

    public TestCluster(IEnumerable<TestNode> nodes)
    {
        foreach (var node in nodes)
        {
            Nodes[node.Id] = node;
        }
    }

    /// <summary>A new cluster of voters 1..<paramref name="size"/>, bootstrapped with the same configuration.</summary>
    public static TestCluster Bootstrap(int size, Action<RaftCoreOptions>? configure = null)
    {
        var ids = Enumerable.Range(1, size).ToArray();
        var initial = RaftCoreInitialState.Bootstrap(Build.Voters(ids));
        return new TestCluster(ids.Select(id => new TestNode(Build.Options(id, configure), initial)));
    }

    /// <summary>Nodes built from explicit states (e.g. the logs of a figure in the Raft paper), all in <paramref name="config"/>.</summary>
    public static TestCluster FromLogs(ClusterConfiguration config, long term, IReadOnlyDictionary<int, LogEntry[]> logs, Action<RaftCoreOptions>? configure = null) =>
        new(logs.Select(kv => new TestNode(Build.Options(kv.Key, configure), Build.State(config, term, log: kv.Value))));

    public Dictionary<NodeId, TestNode> Nodes { get; } = [];

    public TestNode this[int id] => Nodes[Build.Id(id)];

    public IReadOnlyList<RaftMessage> InFlight => _inFlight;

    /// <summary>Every message sent so far (lost or not), in order.</summary>
    public List<RaftMessage> Sent { get; } = [];

    /// <summary>Every message delivered so far, in order.</summary>
    public List<RaftMessage> Delivered { get; } = [];

    /// <summary>When set, messages it matches are lost as they are sent (evaluated at send time).</summary>
    public Func<RaftMessage, bool>? Dropping { get; set; }

    public TestNode? Leader => Nodes.Values.Where(n => !_down.Contains(n.Id) && n.Core.IsLeader).MaxBy(n => n.Term);

    /// <summary>Performs every pending Ready of every running node (in id order) until none is left.</summary>
    public void Process()
    {
        bool any;
        do
        {
            any = false;
            foreach (var node in Nodes.Values.Where(n => !_down.Contains(n.Id)).OrderBy(n => n.Id))
            {
                while (node.ProcessReady(Send))
                {
                    any = true;
                }
            }
        }
        while (any);
    }

    /// <summary>Delivers (in FIFO order) the in-flight messages matching <paramref name="where"/>; returns how many.</summary>
    public int Deliver(Func<RaftMessage, bool>? where = null)
    {
        var batch = Take(where ?? (_ => true));
        foreach (var m in batch)
        {
            Delivered.Add(m);
            Nodes[m.To].Core.Step(m);
        }

        return batch.Count;
    }

    /// <summary>Removes and returns the in-flight messages matching <paramref name="where"/> (dropped unless re-injected).</summary>
    public List<RaftMessage> Take(Func<RaftMessage, bool> where)
    {
        var taken = _inFlight.Where(where).ToList();
        _inFlight.RemoveAll(m => taken.Contains(m));
        return taken;
    }

    /// <summary>Puts a held message back in flight (it may be late, duplicated or stale by now).</summary>
    public void Inject(RaftMessage message) => Send(message);

    /// <summary>Processes and delivers until no node has work and nothing is in flight.</summary>
    public void Stabilize(int maxRounds = 10_000)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            Process();
            if (_inFlight.Count == 0)
            {
                return;
            }

            Deliver();
        }

        throw new InvalidOperationException($"The cluster did not go quiet within {maxRounds} rounds.");
    }

    /// <summary>Ticks every running node <paramref name="times"/> times, stabilizing after each tick.</summary>
    public void TickAll(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            foreach (var node in Nodes.Values.Where(n => !_down.Contains(n.Id)))
            {
                node.Core.Tick();
            }

            Stabilize();
        }
    }

    /// <summary>Ticks only <paramref name="id"/> until its election timeout fires, then lets the election run to the end.</summary>
    public TestNode Campaign(int id)
    {
        var node = this[id];
        // The randomized timeout is below 2 × ElectionTicks.
        for (var i = 0; i < 2 * node.Options.ElectionTicks && node.Role == RaftRole.Follower; i++)
        {
            node.Core.Tick();
        }

        Assert.NotEqual(RaftRole.Follower, node.Role);
        Stabilize();
        return node;
    }

    /// <summary>Campaigns <paramref name="id"/> until it wins, and checks it does within three tries (a first try may only
    /// teach it a newer term).</summary>
    public TestNode Elect(int id)
    {
        var node = this[id];
        for (var attempt = 0; attempt < 3 && !node.Core.IsLeader; attempt++)
        {
            Campaign(id);
        }

        Assert.Equal(RaftRole.Leader, node.Role);
        return node;
    }

    /// <summary>Proposes a command on node <paramref name="id"/> (which must lead).</summary>
    public ProposalTicket Propose(int id, byte[]? command = null) => this[id].Core.Propose(command ?? [42]);

    /// <summary>Stops a node: its in-flight traffic is lost and nothing reaches it until <see cref="Restart"/>.</summary>
    public void Crash(int id)
    {
        var node = Build.Id(id);
        _down.Add(node);
        _inFlight.RemoveAll(m => m.To == node || m.From == node);
    }

    /// <summary>Restarts a crashed node from its disk.</summary>
    public void Restart(int id)
    {
        _down.Remove(Build.Id(id));
        this[id].Restart();
    }

    /// <summary>Cuts the links between <paramref name="id"/> and every other node, both ways.</summary>
    public void Isolate(int id)
    {
        foreach (var other in Nodes.Keys.Where(n => n != Build.Id(id)))
        {
            Cut(id, (int)other.Value);
        }
    }

    /// <summary>Drops traffic between two nodes, both ways (including what is in flight).</summary>
    public void Cut(int a, int b)
    {
        _cut.Add((Build.Id(a), Build.Id(b)));
        _cut.Add((Build.Id(b), Build.Id(a)));
        _inFlight.RemoveAll(IsCut);
    }

    /// <summary>Restores every link (crashed nodes stay down).</summary>
    public void Heal() => _cut.Clear();

    private bool IsCut(RaftMessage m) => _cut.Contains((m.From, m.To));

    private void Send(RaftMessage m)
    {
        Sent.Add(m);
        if (!_down.Contains(m.From) && !_down.Contains(m.To) && !IsCut(m) && Dropping?.Invoke(m) != true)
        {
            _inFlight.Add(m);
        }
    }
}
