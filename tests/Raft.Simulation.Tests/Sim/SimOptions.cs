using HsmRaft.Core;

namespace HsmRaft.Simulation.Sim;

/// <summary>Virtual time: the simulator counts microseconds; a node ticks its core once per <see cref="TickMicros"/>.</summary>
internal static class SimTime
{
    public const long TickMicros = 1000;

    public static long Ticks(double ticks) => (long)(ticks * TickMicros);
}

/// <summary>How the simulated network misbehaves. Delays are in microseconds of virtual time.</summary>
internal sealed record NetworkFaults
{
    /// <summary>Probability that a message is lost.</summary>
    public double DropRate { get; init; }

    /// <summary>Probability that a message is delivered twice (the copy gets its own delay, so it may arrive first).</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Shortest delivery delay. Delays are drawn uniformly, so messages overtake each other (reordering).</summary>
    public long MinDelay { get; init; } = 50;

    /// <summary>Longest ordinary delivery delay.</summary>
    public long MaxDelay { get; init; } = 500;

    /// <summary>Probability that a message is held back for a long time (up to <see cref="LongDelayMax"/>): stale messages
    /// arrive after newer terms and leaders, like a congested or rerouted link.</summary>
    public double LongDelayRate { get; init; }

    public long LongDelayMax { get; init; }

    public static NetworkFaults Reliable { get; } = new();

    public static NetworkFaults Unreliable { get; } = new()
    {
        DropRate = 0.1,
        DuplicateRate = 0.02,
        MinDelay = 50,
        MaxDelay = 2000,
        LongDelayRate = 0.01,
        LongDelayMax = SimTime.Ticks(25),
    };

    public override string ToString() =>
        $"drop={DropRate:0.###} dup={DuplicateRate:0.###} delay={MinDelay}-{MaxDelay}us long={LongDelayRate:0.###}/{LongDelayMax}us";
}

/// <summary>Everything that shapes one simulated run. A run is a pure function of these options (the seed included).</summary>
internal sealed record SimOptions
{
    /// <summary>What the run is, printed on failure.</summary>
    public string Name { get; init; } = "simulation";

    /// <summary>The one command that replays this run exactly, printed on failure.</summary>
    public string ReplayCommand { get; init; } = "";

    public int Seed { get; init; } = 1;

    /// <summary>Founding voters, ids 1..N.</summary>
    public int Nodes { get; init; } = 3;

    public NetworkFaults Network { get; init; } = NetworkFaults.Reliable;

    /// <summary>Time a node's disk takes to make a Ready batch durable (uniform in [min, max] µs). While it writes, the node keeps
    /// receiving messages and ticking; a crash in that window loses part of the batch. 0 means synchronous.</summary>
    public long DiskLatencyMin { get; init; }

    public long DiskLatencyMax { get; init; }

    /// <summary>Time the state machine takes to restore a received snapshot before the core hears <c>SnapshotInstalled</c> (uniform in
    /// [min, max] µs; the runtime restores on its apply loop while the node loop keeps running). 0 means at once.</summary>
    public long InstallLatencyMin { get; init; }

    public long InstallLatencyMax { get; init; }

    /// <summary>Take a snapshot after this many applied entries since the last one; 0 disables snapshots.</summary>
    public int SnapshotEvery { get; init; }

    /// <summary>Entries kept below a snapshot so slightly lagging followers catch up from the log.</summary>
    public int SnapshotTrailing { get; init; } = 5;

    /// <summary>Where nodes keep their durable state: the in-memory model, or the real file stores on a simulated disk.</summary>
    public StorageBackend Storage { get; init; } = ForcedStorage ?? StorageBackend.Model;

    /// <summary>Log segment size of the file backend (small, so segments roll over and compaction deletes whole files).</summary>
    public long SegmentSize { get; init; } = 4096;

    /// <summary>The backend set by the environment variable <c>HSMRAFT_SIM_STORAGE</c> (<c>file</c> or <c>model</c>), if any: it
    /// forces every scenario and random run onto that backend.</summary>
    public static StorageBackend? ForcedStorage =>
        Environment.GetEnvironmentVariable("HSMRAFT_SIM_STORAGE")?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "file" => StorageBackend.File,
            "model" => StorageBackend.Model,
            var other => throw new ArgumentException($"HSMRAFT_SIM_STORAGE is '{other}'; use 'file' (FileStorage on a simulated disk) or 'model'."),
        };

    /// <summary>Core settings (the id and seed are set per node).</summary>
    public Action<RaftCoreOptions>? ConfigureCore { get; init; }

    /// <summary>How many trace lines a failure prints (environment variable <c>HSMRAFT_SIM_TRACE_LINES</c> raises it when debugging).</summary>
    public int TraceLinesOnFailure { get; init; } =
        int.TryParse(Environment.GetEnvironmentVariable("HSMRAFT_SIM_TRACE_LINES"), out var lines) && lines > 0 ? lines : 80;

    public RaftCoreOptions CoreOptions(NodeId id, int seed)
    {
        var o = new RaftCoreOptions { Id = id, Seed = seed };
        ConfigureCore?.Invoke(o);
        o.Id = id;
        o.Seed = seed;
        return o;
    }
}
