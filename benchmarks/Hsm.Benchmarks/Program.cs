using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Hsm.Benchmarks;

/// <summary>
/// Runs the five dispatch cases of issue 4 with Hsm, a hand-written switch and Stateless in one run.
/// Benchmarks run in-process. <c>--quick</c> uses a short job (a few iterations) for a fast check; everything else goes to BenchmarkDotNet
/// (e.g. <c>--filter *Toggle*</c>). <c>--min [batches] [case]</c> runs the Stopwatch minimum harness instead.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--min")
        {
            // --min [batches] [case filter]: the Stopwatch minimum harness (MinimumHarness.cs).
            MinimumHarness.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30, args.Length > 2 ? args[2] : null);
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
