using System.Globalization;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>What one invocation runs; parsed from the command line.</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/Raft.Benchmarks -- [options]
          --quick                 short run: 1 repetition, 1 s warm-up, 3 s measured, 1 s probes
          --only <keys>           implementations to run, comma-separated: hsmraft, dotnext, dotnext-tuned (default: all available)
          --mode <keys>           modes to run, comma-separated: 1w16b, 64w16b, 64w1k, 256w16b (default: all)
          --warmup <seconds>      warm-up per run (default 2, quick 1)
          --duration <seconds>    measured time per run (default 8, quick 3)
          --reps <n>              runs per implementation and mode, alternating implementations (default 3, quick 1)
          --probe <seconds>       time per physical-limit probe (default 3, quick 1)
          --no-probes             skip the fdatasync and loopback probes
          --docs <path>           markdown file to update (default: docs/benchmarks.md at the repository root)
          --no-docs               print only; do not update the markdown file
        """;

    public bool Quick { get; init; }
    public required IReadOnlyList<ClusterImplementation> Implementations { get; init; }
    public required IReadOnlyList<WorkloadMode> Modes { get; init; }
    public TimeSpan Warmup { get; init; }
    public TimeSpan Duration { get; init; }
    public int Repetitions { get; init; }
    public TimeSpan ProbeDuration { get; init; }
    public bool RunProbes { get; init; } = true;
    public string? DocsPath { get; init; }
    public bool WriteDocs { get; init; } = true;

    /// <summary>The command as a user would type it, for the report.</summary>
    public required string Command { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="OptionsException"/> naming the bad option and valid values.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        IReadOnlyList<ClusterImplementation> implementations = ClusterImplementation.All;
        IReadOnlyList<WorkloadMode> modes = WorkloadMode.All;
        double? warmup = null, duration = null, probe = null;
        int? reps = null;
        string? docs = null;
        bool runProbes = true, writeDocs = true;

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick": break;
                case "--only": implementations = PickByKey(args[i], Value(args, ref i), ClusterImplementation.All, static x => x.Key); break;
                case "--mode": modes = PickByKey(args[i], Value(args, ref i), WorkloadMode.All, static x => x.Key); break;
                case "--warmup": warmup = Seconds(args[i], Value(args, ref i), allowZero: true); break;
                case "--duration": duration = Seconds(args[i], Value(args, ref i), allowZero: false); break;
                case "--probe": probe = Seconds(args[i], Value(args, ref i), allowZero: false); break;
                case "--reps": reps = Count(args[i], Value(args, ref i)); break;
                case "--docs": docs = Value(args, ref i); break;
                case "--no-docs": writeDocs = false; break;
                case "--no-probes": runProbes = false; break;
                case "--help" or "-h": throw new OptionsException(null);
                default: throw new OptionsException($"Unknown option '{args[i]}'.");
            }
        }

        return new BenchmarkOptions
        {
            Quick = quick,
            Implementations = implementations,
            Modes = modes,
            Warmup = TimeSpan.FromSeconds(warmup ?? (quick ? 1 : 2)),
            Duration = TimeSpan.FromSeconds(duration ?? (quick ? 3 : 8)),
            ProbeDuration = TimeSpan.FromSeconds(probe ?? (quick ? 1 : 3)),
            Repetitions = reps ?? (quick ? 1 : 3),
            RunProbes = runProbes,
            DocsPath = docs,
            WriteDocs = writeDocs,
            Command = "dotnet run -c Release --project benchmarks/Raft.Benchmarks" + (args.Count == 0 ? "" : " -- " + string.Join(' ', args)),
        };
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new OptionsException($"Option '{args[i]}' needs a value.");
        return args[++i];
    }

    private static List<T> PickByKey<T>(string option, string value, IReadOnlyList<T> known, Func<T, string> key)
    {
        var picked = new List<T>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = known.FirstOrDefault(x => string.Equals(key(x), part, StringComparison.OrdinalIgnoreCase))
                ?? throw new OptionsException($"{option}: unknown value '{part}'. Valid values: {string.Join(", ", known.Select(key))}.");
            if (!picked.Contains(match)) picked.Add(match);
        }
        if (picked.Count == 0)
            throw new OptionsException($"{option}: give at least one of {string.Join(", ", known.Select(key))}.");
        return picked;
    }

    private static double Seconds(string option, string value, bool allowZero)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || (!allowZero && seconds == 0) || seconds > 3600)
            throw new OptionsException($"{option}: '{value}' is not a valid number of seconds; use a number {(allowZero ? "from 0" : "above 0")} up to 3600, e.g. 5.");
        return seconds;
    }

    private static int Count(string option, string value)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 100)
            throw new OptionsException($"{option}: '{value}' is not a valid count; use a whole number from 1 to 100, e.g. 3.");
        return n;
    }
}

/// <summary>A command-line problem; the message says what is wrong and what is valid (null: just show usage).</summary>
public sealed class OptionsException(string? message) : Exception(message ?? "")
{
    /// <summary>True when the user asked for help rather than made a mistake.</summary>
    public bool IsHelpRequest { get; } = message is null;
}
