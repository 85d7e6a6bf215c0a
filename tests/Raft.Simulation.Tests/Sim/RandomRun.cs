using HsmRaft.Core;
using HsmRaft.Simulation.Linearizability;
using HsmRaft.Simulation.Scenarios;

namespace HsmRaft.Simulation.Sim;

/// <summary>What one random run did (for reports and the determinism check).</summary>
internal sealed record RandomRunResult(
    int Seed,
    string Profile,
    long Ticks,
    long Events,
    long Messages,
    int Operations,
    int Completed,
    int Leaders,
    int Crashes,
    int SnapshotsInstalled,
    int MembershipChanges,
    int Transfers,
    int RecoveredInFlight,
    ulong Hash)
{
    public override string ToString() =>
        $"seed {Seed} [{Profile}]: {Ticks} ticks, {Events} events, {Messages} messages, {Completed}/{Operations} ops completed, " +
        $"{Leaders} leaders, {Crashes} crashes, {SnapshotsInstalled} snapshot installs, {MembershipChanges} membership changes, {Transfers} leadership transfers, " +
        $"{RecoveredInFlight} restarts from files that kept writes in flight, hash {Hash:x16}";
}

/// <summary>
/// A whole randomized run from one seed: the seed picks a profile (plain, snapshots, membership, harsh) and every parameter
/// (cluster size, core settings, network weather, disk latency, snapshot policy), then the run goes through a chaos phase
/// (clients + nemesis), a calm phase (faults stop), and the checks: liveness after healing, membership changes complete,
/// the snapshot policy bounds every log, and the client history is linearizable. Invariants are checked throughout.
/// </summary>
internal static class RandomRun
{
    public const string ReplayTest = "HsmRaft.Simulation.RandomSeedTests.ReplaySeed";

    public static readonly string[] Profiles = ["plain", "snapshots", "membership", "harsh"];

    public static string ReplayCommand(int seed) =>
        $"{(SimOptions.ForcedStorage is { } forced ? $"HSMRAFT_SIM_STORAGE={forced.ToString().ToLowerInvariant()} " : "")}" +
        $"HSMRAFT_SIM_SEED={seed} dotnet test {Scenario.Project} -c Release --filter \"FullyQualifiedName={ReplayTest}\"";

    /// <summary>The backend a seed runs on: <c>HSMRAFT_SIM_STORAGE</c> when set, otherwise the file stores for one seed in four
    /// (seeds 12–15, 28–31, …: every profile, since the profile is <c>seed mod 4</c>) and the model for the rest.</summary>
    public static StorageBackend StorageFor(int seed) =>
        SimOptions.ForcedStorage ?? ((uint)seed / 4 % 4 == 3 ? StorageBackend.File : StorageBackend.Model);

    public static RandomRunResult Run(int seed, int chaosTicks = 700, StorageBackend? storage = null)
    {
        var backend = storage ?? StorageFor(seed);
        var profile = Profiles[(int)((uint)seed % Profiles.Length)];
        // One generator for the whole run: it draws the parameters, then drives the cluster.
        var p = new Random(seed);
        var snapshots = profile != "plain";
        var harsh = profile == "harsh";
        var membership = profile == "membership";
        var heartbeat = p.Next(1, 4);
        var maxEntries = new[] { 1, 3, 64, 1024 }[p.Next(4)];
        var inflight = new[] { 1, 2, 8, 256 }[p.Next(4)];
        var preVote = p.NextDouble() < 0.85;
        var checkQuorum = p.NextDouble() < 0.85;
        var leaseReads = checkQuorum && p.NextDouble() < 0.25;
        var chunks = p.Next(1, 5);
        var weather = harsh
            ? NetworkFaults.Unreliable with { DropRate = 0.05 + (p.NextDouble() * 0.15) }
            : new NetworkFaults { DropRate = p.NextDouble() * 0.05, DuplicateRate = p.NextDouble() * 0.02, MaxDelay = 300 + p.Next(1500) };
        var options = new SimOptions
        {
            Name = $"random run, profile {profile}",
            ReplayCommand = ReplayCommand(seed),
            Seed = seed,
            Nodes = membership ? 3 : p.Next(2) == 0 ? 3 : 5,
            Network = weather,
            DiskLatencyMin = harsh ? 100 : 0,
            DiskLatencyMax = harsh ? 900 : snapshots ? p.Next(2) * 300 : 0,
            SnapshotEvery = snapshots ? p.Next(15, 51) : 0,
            SnapshotTrailing = p.Next(0, 11),
            InstallLatencyMax = snapshots && p.Next(2) == 0 ? SimTime.Ticks(3) : 0,
            Storage = backend,
            ConfigureCore = o =>
            {
                o.HeartbeatTicks = heartbeat;
                o.MaxEntriesPerMessage = maxEntries;
                o.MaxInflightMessages = inflight;
                o.PreVote = preVote;
                o.CheckQuorum = checkQuorum;
                o.LeaseReads = leaseReads;
                o.SnapshotChunkSize = 1024;
                o.MaxInflightSnapshotChunks = chunks;
            },
        };
        if (backend == StorageBackend.File)
        {
            // Drawn only for file-backed runs, so that model runs keep the random sequence (and the coverage) they had.
            options = options with { Name = options.Name + " on FileStorage", SegmentSize = new[] { 1024L, 4096, 65536 }[p.Next(3)] };
        }

        options = options with
        {
            Name = options.Name + $" (nodes={options.Nodes} heartbeat={heartbeat} maxEntries={maxEntries} inflight={inflight} " +
                   $"preVote={preVote} checkQuorum={checkQuorum} leaseReads={leaseReads} snapshotEvery={options.SnapshotEvery} " +
                   $"trailing={options.SnapshotTrailing} segment={options.SegmentSize} install={options.InstallLatencyMax}us disk={options.DiskLatencyMin}-{options.DiskLatencyMax}us network: {weather})",
        };

        var c = new Cluster(options, p);
        try
        {
            return Run(c, p, backend == StorageBackend.File ? profile + "/file" : profile, weather, snapshots, harsh, membership, leaseReads, chaosTicks);
        }
        finally
        {
            // For studying a run that passes (e.g. one that is unexpectedly slow): HSMRAFT_SIM_TRACE_FILE=path writes its trace.
            if (Environment.GetEnvironmentVariable("HSMRAFT_SIM_TRACE_FILE") is { Length: > 0 } path)
            {
                File.WriteAllText(path, c.TraceLog.Tail(options.TraceLinesOnFailure));
            }
        }
    }

    private static RandomRunResult Run(Cluster c, Random p, string profile, NetworkFaults weather, bool snapshots, bool harsh, bool membership,
        bool leaseReads, int chaosTicks)
    {
        var seed = c.Options.Seed;
        var workload = new KvWorkload(c, new WorkloadOptions { Clients = 3, Keys = 4, ValuePadding = snapshots ? 300 : 0 });
        var nemesis = new Nemesis(c, new NemesisOptions
        {
            // On the file backend every profile crashes nodes mid-batch: torn writes are what that backend is there to test.
            CrashDuringPersist = harsh || c.Options.Storage == StorageBackend.File,
            FlakyNetwork = harsh || p.Next(2) == 0,
            Pauses = !leaseReads && p.Next(2) == 0,
        }, weather);
        var chaos = membership ? new MembershipChaos(c) : null;
        if (chaos is not null)
        {
            nemesis.Extra = (4, chaos.RandomChange);
        }

        workload.Start();
        nemesis.Run(chaosTicks);

        // Calm: the faults stop; the cluster must recover and finish what it started.
        nemesis.Calm();
        c.RunTicks(3 * c.ElectionTicks);
        chaos?.RequireCompletion(400);
        workload.Stop();
        c.HealAndConverge(400);
        if (!c.RunUntil(() => workload.Idle, 60))
        {
            c.Fail("clients finish after healing", "a client operation neither completed nor timed out");
        }

        workload.FinalReads(100);
        CheckSnapshotPolicy(c);
        var verdict = LinearizabilityChecker.Check(workload.History.Checkable());
        if (!verdict.Ok)
        {
            c.Fail("linearizability", verdict.Explanation);
        }

        return new RandomRunResult(seed, profile, c.NowTicks, c.Loop.EventsRun, c.Network.MessagesSent, workload.History.Ops.Count,
            workload.Completed, c.Checker.LeadersElected, nemesis.Crashes, c.Nodes.Values.Sum(n => n.SnapshotsInstalled),
            chaos?.Succeeded ?? 0, nemesis.TransfersSucceeded, c.Nodes.Values.Sum(n => (n.Storage as FileSimStorage)?.RecoveredUnacknowledgedWrites ?? 0),
            c.FinalHash());
    }

    /// <summary>
    /// With snapshots on, every live node's durable log holds at most two snapshot intervals plus the trailing window of applied
    /// entries (one interval of slack: a node that crashed after a snapshot but before compacting compacts at the next one).
    /// </summary>
    private static void CheckSnapshotPolicy(Cluster c)
    {
        var every = c.Options.SnapshotEvery;
        if (every <= 0)
        {
            return;
        }

        c.RunTicks(5);
        foreach (var n in c.Up)
        {
            var appliedInLog = Math.Min(n.Kv.Applied, n.Storage.LastIndex) - n.Storage.LogStartIndex;
            if (appliedInLog > (2 * every) + c.Options.SnapshotTrailing)
            {
                c.Fail("snapshot policy bounds the log", $"node {n.Id} keeps {appliedInLog} applied entries in its log " +
                                                         $"(snapshot every {every}, trailing {c.Options.SnapshotTrailing}; log ({n.Storage.LogStartIndex},{n.Storage.LastIndex}], " +
                                                         $"snapshot {n.Storage.SnapshotIndex}, applied {n.Kv.Applied})");
            }
        }
    }
}
