using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.Report;

/// <summary>The targets of issue 11, each judged from the medians of HsmRaft and of the peer in one mode.</summary>
public sealed record Target(WorkloadMode Mode, string Description, Func<Summary, Summary, bool> IsMet)
{
    public static IReadOnlyList<Target> All { get; } =
    [
        new(WorkloadMode.OneWriter16B, "p50 ≤ peer's", static (ours, peer) => ours.P50Ms <= peer.P50Ms),
        new(WorkloadMode.Writers64x16B, "ops/s ≥ 3× peer's", static (ours, peer) => ours.OpsPerSecond >= 3 * peer.OpsPerSecond),
        new(WorkloadMode.Writers64x1KiB, "ops/s ≥ 3× peer's", static (ours, peer) => ours.OpsPerSecond >= 3 * peer.OpsPerSecond),
    ];

    /// <summary>The target for <paramref name="mode"/>, if the issue sets one.</summary>
    public static Target? For(WorkloadMode mode) => All.FirstOrDefault(t => t.Mode == mode);
}
