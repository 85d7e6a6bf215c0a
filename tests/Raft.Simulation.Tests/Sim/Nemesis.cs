namespace HsmRaft.Simulation.Sim;

/// <summary>Which faults a random run injects.</summary>
internal sealed record NemesisOptions
{
    public bool Partitions { get; init; } = true;

    public bool OneWayLinks { get; init; } = true;

    public bool Crashes { get; init; } = true;

    /// <summary>Crash some nodes in the middle of persisting a batch (between GetReady and Advance).</summary>
    public bool CrashDuringPersist { get; init; }

    /// <summary>Switch between reliable and unreliable network settings.</summary>
    public bool FlakyNetwork { get; init; }

    public bool LeadershipTransfers { get; init; } = true;

    /// <summary>Freeze processes for up to a few election timeouts (not with lease reads: a paused clock breaks the lease's assumption).</summary>
    public bool Pauses { get; init; }

    /// <summary>Ticks between fault actions (uniform in [min, max]).</summary>
    public int MinGapTicks { get; init; } = 10;

    public int MaxGapTicks { get; init; } = 60;
}

/// <summary>
/// Injects random faults into a running cluster: partitions (random splits, an isolated leader, one-way links), crashes
/// (clean, or in the middle of a batch write) and restarts, network weather changes, and leadership transfers. Membership
/// changes are added by <see cref="MembershipChaos"/>. Every choice comes from the cluster's seeded random generator.
/// </summary>
internal sealed class Nemesis(Cluster cluster, NemesisOptions options, NetworkFaults weather)
{
    public int Crashes { get; private set; }

    public int TransfersSucceeded { get; private set; }

    /// <summary>Extra action (e.g. a membership change) offered to the nemesis with the given weight.</summary>
    public (int Weight, Action Act)? Extra { get; set; }

    /// <summary>Runs for <paramref name="ticks"/>, acting at random intervals.</summary>
    public void Run(int ticks)
    {
        var end = cluster.NowTicks + ticks;
        while (cluster.NowTicks < end)
        {
            var gap = cluster.Random.Next(options.MinGapTicks, options.MaxGapTicks + 1);
            cluster.RunTicks(Math.Min(gap, end - cluster.NowTicks));
            if (cluster.NowTicks < end)
            {
                Act();
            }
        }
    }

    private void Act()
    {
        var rng = cluster.Random;
        var choices = new List<(int Weight, Action Act)>
        {
            (3, () => cluster.Network.Heal()),
            (options.Partitions ? 3 : 0, RandomPartition),
            (options.Partitions ? 2 : 0, IsolateLeader),
            (options.OneWayLinks ? 2 : 0, OneWayCut),
            (options.Crashes ? 3 : 0, CrashOne),
            (options.Crashes ? 3 : 0, RestartOne),
            (options.FlakyNetwork ? 2 : 0, ChangeWeather),
            (options.LeadershipTransfers ? 1 : 0, TransferLeadership),
            (options.Pauses ? 2 : 0, PauseOne),
        };
        if (Extra is { } extra)
        {
            choices.Add(extra);
        }

        var pick = rng.Next(choices.Sum(c => c.Weight));
        foreach (var (weight, act) in choices)
        {
            if (pick < weight)
            {
                act();
                return;
            }

            pick -= weight;
        }
    }

    private List<SimNode> Live => cluster.Nodes.Values.Where(n => !n.Retired).ToList();

    private void RandomPartition()
    {
        var nodes = Live.Select(n => n.Id).OrderBy(_ => cluster.Random.Next()).ToList();
        if (nodes.Count < 2)
        {
            return;
        }

        cluster.Network.Heal();
        var cut = cluster.Random.Next(1, nodes.Count);
        cluster.Network.Partition([nodes.Take(cut).ToList(), nodes.Skip(cut).ToList()]);
    }

    private void IsolateLeader()
    {
        if (cluster.CurrentLeader is { } leader)
        {
            cluster.Network.Isolate(leader.Id);
        }
    }

    private void OneWayCut()
    {
        var nodes = Live;
        if (nodes.Count < 2)
        {
            return;
        }

        // Often the leader's outbound or inbound side: it can talk but not hear, or hear but not talk.
        var from = cluster.CurrentLeader is { } l && cluster.Random.Next(2) == 0 ? l : nodes[cluster.Random.Next(nodes.Count)];
        foreach (var to in nodes.Where(n => n != from && cluster.Random.Next(2) == 0))
        {
            if (cluster.Random.Next(2) == 0)
            {
                cluster.Network.CutOneWay(from.Id, to.Id);
            }
            else
            {
                cluster.Network.CutOneWay(to.Id, from.Id);
            }
        }
    }

    private void CrashOne()
    {
        var up = Live.Where(n => n.IsUp).ToList();
        if (up.Count == 0)
        {
            return;
        }

        var victim = cluster.CurrentLeader is { } l && cluster.Random.Next(3) == 0 ? l : up[cluster.Random.Next(up.Count)];
        Crashes++;
        if (options.CrashDuringPersist && cluster.Random.Next(2) == 0)
        {
            victim.CrashDuringNextPersist();
        }
        else
        {
            victim.Crash("nemesis");
        }
    }

    private void RestartOne()
    {
        var down = Live.Where(n => !n.IsUp).ToList();
        if (down.Count > 0)
        {
            down[cluster.Random.Next(down.Count)].Start();
        }
    }

    private void PauseOne()
    {
        var up = Live.Where(n => n.IsUp).ToList();
        if (up.Count == 0)
        {
            return;
        }

        var victim = cluster.CurrentLeader is { } l && cluster.Random.Next(2) == 0 ? l : up[cluster.Random.Next(up.Count)];
        victim.Pause(cluster.Random.NextInt64(SimTime.Ticks(3 * cluster.ElectionTicks)));
    }

    private void ChangeWeather()
    {
        cluster.Network.Faults = cluster.Random.Next(3) switch
        {
            0 => NetworkFaults.Reliable,
            1 => weather,
            _ => weather with { DropRate = weather.DropRate / 2, LongDelayRate = 0 },
        };
        cluster.Trace("net", NodeId.None, "weather " + cluster.Network.Faults);
    }

    private void TransferLeadership()
    {
        if (cluster.CurrentLeader is not { } leader)
        {
            return;
        }

        var voters = leader.Core!.Configuration.Voters.Where(v => v != leader.Id).ToList();
        if (voters.Count == 0)
        {
            return;
        }

        var target = voters[cluster.Random.Next(voters.Count)];
        leader.Request("transfer", $"to {target}", (core, id) => core.TransferLeadership(id, target), c =>
        {
            if (c is { Error: null })
            {
                TransfersSucceeded++;
            }
        });
    }

    /// <summary>Stops injecting: every link restored, crashed nodes restarted, the network reliable.</summary>
    public void Calm()
    {
        cluster.Network.Heal();
        cluster.Network.Faults = NetworkFaults.Reliable;
        foreach (var n in Live)
        {
            // A crash armed for the next batch may not have fired yet (an idle pre-candidate writes nothing): faults stop now.
            n.CancelCrashDuringNextPersist();
            n.Start();
        }
    }
}
