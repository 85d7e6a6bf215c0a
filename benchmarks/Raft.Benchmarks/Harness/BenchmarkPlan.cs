using HsmRaft.Benchmarks.Report;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>
/// Runs every selected mode: within a mode, repetition by repetition, each implementation once in turn
/// (A, B, A, B, …), so slow drift of a shared machine affects every implementation alike.
/// </summary>
public static class BenchmarkPlan
{
    public static async Task<IReadOnlyList<RunResult>> RunAsync(
        BenchmarkOptions options, IReadOnlyList<ClusterImplementation> implementations, string tempRoot, Action<string> progress)
    {
        var results = new List<RunResult>();
        foreach (var mode in options.Modes)
        {
            for (var repetition = 1; repetition <= options.Repetitions; repetition++)
            {
                foreach (var implementation in implementations)
                {
                    // Start every run from a collected heap, so one run's garbage is not the next one's GC pause.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    var result = await ClusterRun.ExecuteAsync(implementation, mode, repetition, options.Warmup, options.Duration, tempRoot);
                    results.Add(result);
                    progress(Describe(result));
                }
            }
        }
        return results;
    }

    private static string Describe(RunResult r) =>
        $"  {r.Mode.Title,-18} {r.Implementation,-16} run {r.Repetition}: {Format.Count(r.OpsPerSecond),10} ops/s  " +
        $"p50 {Format.Ms(r.P50Ms)} ms  p99 {Format.Ms(r.P99Ms)} ms  p99.9 {Format.Ms(r.P999Ms)} ms  " +
        $"CPU {Format.Fixed(r.CpuSecondsPer1000Ops, 3)} s/1k ops  {r.Problem ?? "valid"}";
}
