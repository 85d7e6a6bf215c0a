using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.Report;

/// <summary>The repetitions of one implementation in one mode, reduced to medians.</summary>
/// <remarks>Only valid runs count; when none is valid the medians come from all runs and the table says so.</remarks>
public sealed class Summary(WorkloadMode mode, string implementation, IReadOnlyList<RunResult> runs)
{
    private readonly IReadOnlyList<RunResult> counted = runs.Any(static r => r.IsValid) ? runs.Where(static r => r.IsValid).ToArray() : runs;

    public WorkloadMode Mode => mode;
    public string Implementation => implementation;
    public IReadOnlyList<RunResult> Runs => runs;
    public int ValidRuns => runs.Count(static r => r.IsValid);
    public int LeaderChanges => runs.Sum(static r => r.LeaderChanges);

    public double OpsPerSecond => Median(static r => r.OpsPerSecond);
    public double MinOpsPerSecond => counted.Min(static r => r.OpsPerSecond);
    public double MaxOpsPerSecond => counted.Max(static r => r.OpsPerSecond);
    public double P50Ms => Median(static r => r.P50Ms);
    public double P99Ms => Median(static r => r.P99Ms);
    public double P999Ms => Median(static r => r.P999Ms);
    public double CpuSecondsPer1000Ops => Median(static r => r.CpuSecondsPer1000Ops);
    public double AllocatedBytesPerOp => Median(static r => r.AllocatedBytesPerOp);

    /// <summary>Groups runs by mode and implementation, keeping the order they first appear in.</summary>
    public static IReadOnlyList<Summary> Of(IEnumerable<RunResult> runs) =>
        runs.GroupBy(static r => (r.Mode, r.Implementation))
            .Select(static g => new Summary(g.Key.Mode, g.Key.Implementation, g.ToArray()))
            .ToArray();

    private double Median(Func<RunResult, double> metric)
    {
        var values = counted.Select(metric).Order().ToArray();
        if (values.Length == 0) return double.NaN;
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
