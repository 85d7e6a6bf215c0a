namespace HsmRaft.Benchmarks.Harness;

/// <summary>What one run of one implementation in one mode measured over its measured window.</summary>
/// <param name="Implementation">Name of the implementation.</param>
/// <param name="Mode">The load shape.</param>
/// <param name="Repetition">1-based number of this run among the repetitions of the mode.</param>
/// <param name="Operations">Proposals that completed inside the measured window.</param>
/// <param name="Seconds">Length of the measured window.</param>
/// <param name="P50Ms">Median latency of those operations, in milliseconds.</param>
/// <param name="P99Ms">99th percentile latency, in milliseconds.</param>
/// <param name="P999Ms">99.9th percentile latency, in milliseconds.</param>
/// <param name="CpuSecondsPer1000Ops">Process CPU time (all voters and the writers) per 1000 operations.</param>
/// <param name="AllocatedBytesPerOp">Bytes allocated by the whole process per operation.</param>
/// <param name="LeaderChanges">Leader or term changes seen during the run.</param>
/// <param name="Problem">Why the run is invalid (leader change, error, replication gap), or null.</param>
public sealed record RunResult(
    string Implementation,
    WorkloadMode Mode,
    int Repetition,
    long Operations,
    double Seconds,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double CpuSecondsPer1000Ops,
    double AllocatedBytesPerOp,
    int LeaderChanges,
    string? Problem)
{
    /// <summary>Committed operations per second.</summary>
    public double OpsPerSecond => Seconds > 0 ? Operations / Seconds : 0;

    /// <summary>A run that measured nothing, e.g. because its cluster did not start.</summary>
    public static RunResult Failed(string implementation, WorkloadMode mode, int repetition, string problem) =>
        new(implementation, mode, repetition, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, problem);

    /// <summary>True when the run had no leader change, no error and every voter applied every acknowledged command.</summary>
    public bool IsValid => Problem is null;
}
