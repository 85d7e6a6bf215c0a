using System.Globalization;
using System.Text;
using HsmRaft.Benchmarks.Harness;
using HsmRaft.Benchmarks.Probes;

namespace HsmRaft.Benchmarks.Report;

/// <summary>Everything one invocation measured, rendered as the markdown body of the issue-11 section.</summary>
public sealed record ThroughputReport(
    BenchmarkOptions Options,
    string Machine,
    DateTimeOffset Date,
    string LoadBefore,
    string LoadAfter,
    IReadOnlyList<ProbeResult> Probes,
    IReadOnlyList<RunResult> Runs)
{
    public const string Heading = "## Raft cluster throughput (issue 11)";

    public string ToMarkdown()
    {
        var summaries = Summary.Of(Runs);
        var text = new StringBuilder();
        text.Append("_Written by `benchmarks/Raft.Benchmarks`; run the command below to refresh it._\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- Command: `{Options.Command}`{(Options.Quick ? " (quick run: short and noisy, for smoke-testing only)" : "")}\n");
        text.Append(CultureInfo.InvariantCulture, $"- Date: {Date.UtcDateTime:yyyy-MM-dd HH:mm} UTC\n");
        text.Append(CultureInfo.InvariantCulture, $"- Machine: {Machine}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"- Method: three voters in one process on 127.0.0.1, each with its own data directory; a fresh cluster per run, {Seconds(Options.Warmup)} warm-up, then {Seconds(Options.Duration)} measured; ");
        text.Append(CultureInfo.InvariantCulture,
            $"{Options.Repetitions} run(s) per implementation and mode, implementations alternating (A, B, A, B, …); medians of the valid runs. ");
        text.Append("Latency is from the proposal call to its completion (committed, and applied on the leader). ")
            .Append("CPU is the whole process (three voters and the writers) per 1000 committed operations; allocations likewise. ")
            .Append("A run is invalid when the leader or term changes, a proposal fails, or a voter has not applied every acknowledged command (checked by count and checksum).\n");
        text.Append(CultureInfo.InvariantCulture,
            $"- Noise: the machine's cores are shared with other engineers' builds and tests, so runs vary; the ops/s range column shows the spread between repetitions. Load average (1, 5, 15 min) {LoadBefore} at the start, {LoadAfter} at the end.\n\n");

        text.Append("### Implementations\n\n");
        foreach (var implementation in Options.Implementations)
        {
            var description = implementation.IsAvailable ? implementation.Configuration : implementation.UnavailableReason;
            text.Append(CultureInfo.InvariantCulture, $"- **{implementation.Name}**: {description}\n");
        }

        if (Probes.Count > 0)
        {
            text.Append("\n### Physical limits of this machine (same run)\n\n");
            var probes = new MarkdownTable("Probe", "ops/s", "p50 ms", "p99 ms");
            foreach (var probe in Probes) probes.Add(probe.Name, Format.Count(probe.PerSecond), Format.Ms(probe.P50Ms), Format.Ms(probe.P99Ms));
            text.Append(probes).Append('\n');
        }

        text.Append("### Results\n\n").Append(ResultsTable(summaries)).Append('\n');
        text.Append("### HsmRaft / peer\n\n").Append(Comparison(summaries)).Append('\n');
        text.Append("<details><summary>Every run</summary>\n\n").Append(RunsTable()).Append("\n</details>\n");
        return text.ToString();
    }

    private static MarkdownTable ResultsTable(IReadOnlyList<Summary> summaries)
    {
        var table = new MarkdownTable("Mode", "Implementation", "ops/s", "ops/s range", "p50 ms", "p99 ms", "p99.9 ms", "CPU s / 1k ops", "alloc KB / op", "valid runs");
        foreach (var s in summaries)
        {
            table.Add(s.Mode.Title, s.Implementation, Format.Count(s.OpsPerSecond),
                $"{Format.Count(s.MinOpsPerSecond)}–{Format.Count(s.MaxOpsPerSecond)}",
                Format.Ms(s.P50Ms), Format.Ms(s.P99Ms), Format.Ms(s.P999Ms),
                Format.Fixed(s.CpuSecondsPer1000Ops, 3), Format.Fixed(s.AllocatedBytesPerOp / 1024, 1),
                s.ValidRuns == s.Runs.Count ? $"{s.ValidRuns}/{s.Runs.Count}" : $"{s.ValidRuns}/{s.Runs.Count} ⚠");
        }
        return table;
    }

    private string Comparison(IReadOnlyList<Summary> summaries)
    {
        var ours = Options.Implementations.Where(static i => i.Side == Side.HsmRaft && i.IsAvailable).ToArray();
        var peers = Options.Implementations.Where(static i => i.Side != Side.HsmRaft && i.IsAvailable).ToArray();
        if (ours.Length == 0 || peers.Length == 0)
        {
            var missing = Options.Implementations.Where(static i => !i.IsAvailable).Select(static i => $"{i.Name} is {i.UnavailableReason}");
            return "No ratios: an HsmRaft configuration and a peer must both run. " + string.Join("; ", missing) + ".\n";
        }

        var table = new MarkdownTable("Mode", "HsmRaft", "Peer", "ops/s", "p50", "p99", "p99.9", "CPU / op", "Target", "Met");
        foreach (var implementation in ours)
        {
            foreach (var peer in peers)
            {
                foreach (var mode in Options.Modes)
                {
                    var mine = Find(summaries, mode, implementation);
                    var theirs = Find(summaries, mode, peer);
                    if (mine is null || theirs is null) continue;
                    // Targets are set against the peer as the issue specifies it; the tuned peer is for information.
                    var target = peer.Side == Side.Peer ? Target.For(mode) : null;
                    table.Add(mode.Title, implementation.Name, peer.Name,
                        Format.Ratio(mine.OpsPerSecond / theirs.OpsPerSecond), Format.Ratio(mine.P50Ms / theirs.P50Ms),
                        Format.Ratio(mine.P99Ms / theirs.P99Ms), Format.Ratio(mine.P999Ms / theirs.P999Ms),
                        Format.Ratio(mine.CpuSecondsPer1000Ops / theirs.CpuSecondsPer1000Ops),
                        target?.Description ?? "–", target is null ? "–" : target.IsMet(mine, theirs) ? "yes" : "**no**");
                }
            }
            var changes = summaries.Where(s => s.Implementation == implementation.Name).Sum(static s => s.LeaderChanges);
            table.Add("all modes", implementation.Name, "", "", "", "", "", "", "no leader change", changes == 0 ? "yes" : $"**no** ({changes})");
        }
        return "Ratios are HsmRaft ÷ peer: above 1× is better for ops/s, below 1× is better for latency and CPU. " +
            "Targets are judged against the peer at its defaults, as issue 11 specifies.\n\n" + table;
    }

    private static Summary? Find(IReadOnlyList<Summary> summaries, WorkloadMode mode, ClusterImplementation implementation) =>
        summaries.FirstOrDefault(s => s.Mode == mode && s.Implementation == implementation.Name);

    private MarkdownTable RunsTable()
    {
        var table = new MarkdownTable("Mode", "Implementation", "Run", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "CPU s / 1k ops", "Status");
        foreach (var r in Runs)
        {
            table.Add(r.Mode.Title, r.Implementation, r.Repetition.ToString(CultureInfo.InvariantCulture), Format.Count(r.OpsPerSecond),
                Format.Ms(r.P50Ms), Format.Ms(r.P99Ms), Format.Ms(r.P999Ms), Format.Fixed(r.CpuSecondsPer1000Ops, 3),
                r.Problem ?? "valid");
        }
        return table;
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
