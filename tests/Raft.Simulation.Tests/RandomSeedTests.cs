using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HsmRaft.Simulation.Sim;
using Xunit.Abstractions;

namespace HsmRaft.Simulation;

/// <summary>
/// Randomized simulation over many seeds. CI runs <see cref="DefaultSeeds"/> seeds; set <c>HSMRAFT_SIM_SEEDS</c> (and optionally
/// <c>HSMRAFT_SIM_SEED_START</c>) to run more. A failing seed prints the command that replays it alone through
/// <see cref="ReplaySeed"/> with <c>HSMRAFT_SIM_SEED</c>.
/// </summary>
public class RandomSeedTests(ITestOutputHelper output)
{
    public const int DefaultSeeds = 300;

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    [Fact]
    public void ManySeeds()
    {
        var count = Env("HSMRAFT_SIM_SEEDS", DefaultSeeds);
        var start = Env("HSMRAFT_SIM_SEED_START", 1);
        var failures = new ConcurrentBag<(int Seed, string Message)>();
        var results = new ConcurrentBag<RandomRunResult>();
        var watch = Stopwatch.StartNew();
        Parallel.For(start, start + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            try
            {
                results.Add(RandomRun.Run(seed));
            }
            catch (SimulationFailure f)
            {
                failures.Add((seed, f.Message));
            }
            catch (Exception e)
            {
                failures.Add((seed, $"seed {seed} crashed the simulator: {e}\n  replay: {RandomRun.ReplayCommand(seed)}"));
            }
        });

        output.WriteLine($"{count} seeds from {start} in {watch.Elapsed.TotalSeconds:0.0} s: {results.Count} passed, {failures.Count} failed.");
        foreach (var profile in results.GroupBy(r => r.Profile).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {profile.Key}: {profile.Count()} runs, {profile.Sum(r => r.Ticks)} ticks, {profile.Sum(r => r.Messages)} messages, " +
                             $"{profile.Sum(r => r.Completed)} ops, {profile.Sum(r => r.Crashes)} crashes, {profile.Sum(r => r.SnapshotsInstalled)} " +
                             $"snapshot installs, {profile.Sum(r => r.MembershipChanges)} membership changes, {profile.Sum(r => r.Transfers)} leadership transfers" +
                             (profile.Key.EndsWith("/file", StringComparison.Ordinal) ? $", {profile.Sum(r => r.RecoveredInFlight)} restarts that kept writes in flight" : ""));
        }

        if (!failures.IsEmpty)
        {
            var sorted = failures.OrderBy(f => f.Seed).ToList();
            Assert.Fail($"{sorted.Count} of {count} seeds failed: {string.Join(", ", sorted.Select(f => f.Seed))}\n\nFirst failure:\n{sorted[0].Message}");
        }
    }

    /// <summary>Replays one seed (default 1): <c>HSMRAFT_SIM_SEED=1234 dotnet test ... --filter FullyQualifiedName=...ReplaySeed</c>.</summary>
    [Fact]
    public void ReplaySeed()
    {
        var seed = Env("HSMRAFT_SIM_SEED", 1);
        var result = RandomRun.Run(seed);
        output.WriteLine(result.ToString());
    }

    /// <summary>Runs seeds twice on each backend (the file backend's hash also covers every disk write and sync).</summary>
    [Fact]
    public void SameSeedGivesTheSameRunBitForBit()
    {
        foreach (var (seed, storage) in new[] { (11, StorageBackend.Model), (12, StorageBackend.Model), (13, StorageBackend.File), (14, StorageBackend.File), (15, StorageBackend.File) })
        {
            var first = RandomRun.Run(seed, storage: storage);
            var second = RandomRun.Run(seed, storage: storage);
            Assert.Equal(first, second);
            output.WriteLine(first.ToString());
        }

        Assert.NotEqual(RandomRun.Run(21).Hash, RandomRun.Run(25).Hash);
        Assert.NotEqual(RandomRun.Run(13, storage: StorageBackend.Model).Hash, RandomRun.Run(13, storage: StorageBackend.File).Hash);
    }
}
