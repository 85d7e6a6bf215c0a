using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Hsm.Benchmarks;

/// <summary>
/// Runs the five dispatch cases of issue 4 with Hsm, a hand-written switch and Stateless in one run.
/// Benchmarks run in-process. <c>--quick</c> uses a short job (a few iterations) for a fast check; everything else goes to BenchmarkDotNet
/// (e.g. <c>--filter *Toggle*</c>). <c>--min [batches] [case]</c> runs the Stopwatch minimum harness instead, and
/// <c>--sweep [batches] [case]</c> runs it in eight processes with the code at other addresses (MinimumHarness.Sweep).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "--min" or "--sweep")
        {
            // --min [batches] [case filter] [--pad K] [--raw]: the Stopwatch minimum harness (MinimumHarness.cs);
            // --sweep [batches] [case filter]: the same in eight processes with the code at other addresses.
            var positional = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
            var batches = positional.Length > 0 ? int.Parse(positional[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
            var filter = positional.Length > 1 && positional[1].Length > 0 ? positional[1] : null;
            var padAt = Array.IndexOf(args, "--pad");
            var pad = padAt > 0 && padAt + 1 < args.Length ? int.Parse(args[padAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (args[0] == "--sweep")
            {
                MinimumHarness.Sweep(batches, filter);
            }
            else
            {
                MinimumHarness.Run(batches, filter, pad, args.Contains("--raw"));
            }

            return;
        }

        var quick = args.Contains("--quick");
        // In-process: no per-run rebuild of a boilerplate project (which alone takes minutes on a busy 2-core machine).
        var toolchain = new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false);
        var job = (quick ? Job.ShortRun.WithWarmupCount(2).WithIterationCount(5) : Job.MediumRun.WithLaunchCount(1)).WithToolchain(toolchain);
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary)
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
            .HideColumns("Error", "StdDev", "RatioSD", "Gen0", "Alloc Ratio");
        var rest = args.Where(a => a != "--quick").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
    }
}
