using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Crashes and restarts from what each node persisted (Raft Figure 2's persistent state), and the paper's Figure 8.</summary>
public class PersistenceTests
{
    [Fact]
    public void StatePersistsAcrossCrashes()
    {
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 3);
        c.One("11", 3, retry: true);

        // Every node crashes and restarts.
        foreach (var id in new ulong[] { 1, 2, 3 })
        {
            c.Crash(id);
        }

        foreach (var id in new ulong[] { 1, 2, 3 })
        {
            c.Restart(id);
        }

        c.One("12", 3, retry: true);

        var leader1 = c.CheckOneLeader().Value;
        c.Crash(leader1);
        c.Restart(leader1);
        c.One("13", 3, retry: true);

        var leader2 = c.CheckOneLeader().Value;
        c.Crash(leader2);
        var index = c.One("14", 2, retry: true);
        c.Restart(leader2);
        Assert.True(c.RunUntil(() => c.NCommitted(index).Count == 3, 10 * c.ElectionTicks), "the restarted node catches up");

        var leader3 = c.CheckOneLeader().Value;
        var follower = (leader3 % 3) + 1;
        c.Crash(follower);
        c.One("15", 2, retry: true);
        c.Restart(follower);
        c.One("16", 3, retry: true);
    }

    [Fact]
    public void RepeatedCrashesOfLeadersAndFollowers()
    {
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 5);
        for (var i = 0; i < 5; i++)
        {
            c.One($"r{i}a", 5, retry: true);
            var leader = c.CheckOneLeader().Value;
            var other = (leader % 5) + 1;
            c.Crash(leader);
            c.Crash(other);
            c.One($"r{i}b", 3, retry: true);

            // Two of the three that kept running go down; the first two come back (a different majority).
            var remaining = Enumerable.Range(1, 5).Select(x => (ulong)x).Where(x => x != leader && x != other).ToList();
            c.Restart(leader);
            c.Restart(other);
            c.Crash(remaining[0]);
            c.Crash(remaining[1]);
            c.One($"r{i}c", 3, retry: true);
            c.Restart(remaining[0]);
            c.Restart(remaining[1]);
        }

        c.One("end", 5, retry: true);
    }

    [Fact]
    public void PartitionedLeaderAndFollowerCrash()
    {
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 3);
        c.One("101", 3, retry: true);
        var leader = c.CheckOneLeader().Value;
        var a = (leader % 3) + 1;
        var b = (a % 3) + 1;
        c.Disconnect(b);
        c.One("102", 2, retry: true);

        // Both nodes that hold 102 crash; the one without it returns: it must not win alone.
        c.Crash(leader);
        c.Crash(a);
        c.Connect(b);
        c.Restart(leader);
        c.One("103", 2, retry: true);
        c.Restart(a);
        c.One("104", 3, retry: true);
    }

    [Fact]
    public void CrashesInTheMiddleOfWritingABatch()
    {
        // Disks take up to two ticks per batch, and nodes lose power while one is being written.
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 3, tweak: o => o with { DiskLatencyMin = 200, DiskLatencyMax = 2000 });
        c.One("first", 3, retry: true);
        for (var i = 0; i < 20; i++)
        {
            var victim = c[(ulong)((i % 3) + 1)];
            victim.CrashDuringNextPersist();
            for (var k = 0; k < 3; k++)
            {
                c.Start(c.CurrentLeader?.Id ?? victim.Id, $"burst{i}.{k}");
            }

            c.RunTicks(c.Random.Next(1, 2 * c.ElectionTicks));
            victim.Start();
            c.One($"after{i}", 2, retry: true);
        }

        c.HealAndConverge();
        Assert.True(c.Nodes.Values.Sum(n => n.Restarts) >= 10, "nodes actually crashed mid-write and restarted");
    }

    /// <summary>Figure 8: a leader may not commit an earlier term's entry by counting replicas; crashing leaders at random
    /// moments builds the figure's situations many times over. The invariant checker catches a committed entry being overwritten.</summary>
    [Fact]
    public void Figure8()
    {
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 5);
        c.One("start", 1, retry: true);
        var up = 5;
        for (var iter = 0; iter < 600; iter++)
        {
            if (c.CurrentLeader is { } leader)
            {
                c.Start(leader.Id, $"f{iter}");
            }

            c.RunTicks(c.Random.Next(100) < 10 ? c.Random.Next(2 * c.ElectionTicks) : c.Random.NextDouble() * 1.3);
            if (c.CurrentLeader is { } l && up > 2)
            {
                l.Crash("figure 8");
                up--;
            }

            if (up < 3)
            {
                var down = c.Nodes.Values.Where(n => !n.IsUp).ToList();
                down[c.Random.Next(down.Count)].Start();
                up++;
            }
        }

        foreach (var n in c.Nodes.Values.Where(n => !n.IsUp))
        {
            n.Start();
        }

        c.One("end", 5, retry: true);
    }

    [Fact]
    public void Figure8OnAnUnreliableNetwork()
    {
        var c = Scenario.Create(typeof(PersistenceTests), nodes: 5, tweak: o => o with { Network = NetworkFaults.Unreliable with { LongDelayRate = 0.1 } });
        c.One("start", 1, retry: true);
        for (var iter = 0; iter < 600; iter++)
        {
            if (iter == 200)
            {
                c.Network.Faults = NetworkFaults.Unreliable with { LongDelayRate = 0.3 };
            }

            if (c.CurrentLeader is { } leader && !c.Network.IsIsolated(leader.Id))
            {
                c.Start(leader.Id, $"u{iter}");
            }

            c.RunTicks(c.Random.Next(100) < 10 ? c.Random.Next(2 * c.ElectionTicks) : c.Random.NextDouble() * 1.3);
            if (c.Connected.FirstOrDefault(n => n.Core!.IsLeader) is { } l && c.Random.Next(2) == 0)
            {
                c.Disconnect(l.Id.Value);
            }

            if (c.Connected.Count() < 3)
            {
                var isolated = c.Nodes.Keys.Where(c.Network.IsIsolated).ToList();
                c.Connect(isolated[c.Random.Next(isolated.Count)].Value);
            }
        }

        c.HealAndConverge();
        c.One("end", 5, retry: true);
    }
}
