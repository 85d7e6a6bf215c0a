using HsmRaft.Core;

namespace HsmRaft.Simulation.Sim;

/// <summary>Helpers for scripted scenarios, in the style of the well-known Raft lab test harnesses, on virtual ticks.</summary>
internal sealed partial class Cluster
{
    private int _nextStarter;

    public void Crash(ulong id) => this[id].Crash("crashed by the test");

    public void Restart(ulong id) => this[id].Start();

    public void Disconnect(ulong id) => Network.Isolate(new NodeId(id));

    public void Connect(ulong id) => Network.Reconnect(new NodeId(id));

    /// <summary>Waits for the connected nodes to settle on exactly one leader of the highest term and returns it.</summary>
    public NodeId CheckOneLeader()
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            RunTicks(ElectionTicks * 2 + Random.Next(ElectionTicks));
            var leaders = Connected.Where(n => n.Core!.IsLeader).GroupBy(n => n.Core!.Status.Term).OrderByDescending(g => g.Key).ToList();
            foreach (var g in leaders.Where(g => g.Count() > 1))
            {
                Fail("one leader per term", $"term {g.Key} has leaders {string.Join(",", g.Select(n => n.Id))}");
            }

            if (leaders.Count > 0)
            {
                return leaders[0].Single().Id;
            }
        }

        Fail("a leader is elected", "no connected node became leader within 10 election rounds");
        return default;
    }

    /// <summary>Fails if any connected node believes it leads.</summary>
    public void CheckNoLeader()
    {
        if (Connected.FirstOrDefault(n => n.Core!.IsLeader) is { } leader)
        {
            Fail("no leader expected", $"node {leader.Id} leads term {leader.Core!.Status.Term} though it should have no quorum");
        }
    }

    /// <summary>The term every connected node agrees on.</summary>
    public long CheckTerms()
    {
        var terms = Connected.Select(n => n.Core!.Status.Term).Distinct().ToList();
        if (terms.Count != 1)
        {
            Fail("connected nodes agree on the term", $"terms seen: {string.Join(",", terms)}");
        }

        return terms[0];
    }

    /// <summary>How many nodes (up or not) have applied <paramref name="index"/>, and the hash of the entry there.</summary>
    public (int Count, ulong Data) NCommitted(long index)
    {
        var count = Nodes.Values.Count(n => n.Kv.Applied >= index);
        return (count, Checker.AppliedAt(index).Data);
    }

    public static ulong HashOf(string opaqueCommand) => StableHash.Of(KvCommand.Opaque(opaqueCommand));

    /// <summary>Proposes the opaque <paramref name="command"/> on <paramref name="node"/>; null when it is not the leader.</summary>
    public ProposalTicket? Start(NodeId node, string command) => Start(node, KvCommand.Opaque(command));

    /// <summary>Proposes raw command bytes on <paramref name="node"/>; null when it is not the leader.</summary>
    public ProposalTicket? Start(NodeId node, byte[] command)
    {
        var n = this[node];
        if (!n.IsUp)
        {
            return null;
        }

        return n.TryPropose(command, null, out var ticket) is null ? ticket : null;
    }

    /// <summary>
    /// Gets <paramref name="command"/> committed on at least <paramref name="expectedNodes"/> nodes: offers it to each up node in
    /// turn until a leader takes it, then waits for it to apply; with <paramref name="retry"/> it offers again if the first leader
    /// lost it. Returns its index.
    /// </summary>
    public long One(string command, int expectedNodes, bool retry, double maxTicks = 300) =>
        One(KvCommand.Opaque(command), expectedNodes, retry, maxTicks);

    /// <summary><see cref="One(string, int, bool, double)"/> for raw command bytes (e.g. key-value writes).</summary>
    public long One(byte[] command, int expectedNodes, bool retry, double maxTicks = 300)
    {
        var expected = StableHash.Of(command);
        var deadline = NowTicks + maxTicks;
        var ids = Nodes.Keys.ToList();
        while (NowTicks < deadline)
        {
            ProposalTicket? ticket = null;
            for (var k = 0; k < ids.Count && ticket is null; k++)
            {
                _nextStarter = (_nextStarter + 1) % ids.Count;
                ticket = Start(ids[_nextStarter], command);
            }

            if (ticket is { } t)
            {
                var index = t.Index;
                if (RunUntil(() => NCommitted(index) is var c && c.Count >= expectedNodes && c.Data == expected, 4 * ElectionTicks))
                {
                    return index;
                }

                if (!retry)
                {
                    Fail("agreement", $"command '{KvCommand.Describe(command)}' proposed at index {index} did not reach {expectedNodes} nodes " +
                                      $"(reached {NCommitted(index).Count})");
                }
            }
            else
            {
                RunTicks(1);
            }
        }

        Fail("agreement", $"command '{KvCommand.Describe(command)}' was not committed on {expectedNodes} nodes within {maxTicks} ticks");
        return -1;
    }

    /// <summary>Waits until <paramref name="n"/> nodes applied <paramref name="index"/> and returns the entry's hash; returns null if
    /// a node moved past <paramref name="startTerm"/> meanwhile (the entry may have been replaced).</summary>
    public ulong? Wait(long index, int n, long startTerm)
    {
        var ok = RunUntil(() => NCommitted(index).Count >= n || Up.Any(x => x.Core!.Status.Term > startTerm), 10 * ElectionTicks);
        if (NCommitted(index).Count >= n)
        {
            return NCommitted(index).Data;
        }

        if (!ok)
        {
            Fail("agreement", $"index {index} applied on only {NCommitted(index).Count} of {n} nodes in time");
        }

        return null;
    }

    /// <summary>Restarts every crashed node, heals the network and waits until every member of the leader's configuration
    /// has applied everything the leader committed (liveness after the faults stop).</summary>
    public void HealAndConverge(double maxTicks = 400)
    {
        Network.Heal();
        Network.Faults = NetworkFaults.Reliable;
        foreach (var n in Nodes.Values.Where(n => !n.IsUp && !n.Retired))
        {
            n.Start();
        }

        var barrier = $"barrier-{NowTicks}";
        var index = One(barrier, 1, retry: true, maxTicks);
        if (!RunUntil(() => CurrentLeader is { } l && l.Core!.Configuration.AllNodes().All(id => this[id].IsUp && this[id].Kv.Applied >= index),
                maxTicks))
        {
            Fail("liveness after healing", $"barrier at index {index} not applied by every member within {maxTicks} ticks " +
                                           $"(leader {CurrentLeader?.Id}, config {CurrentLeader?.Core!.Configuration})");
        }
    }
}
