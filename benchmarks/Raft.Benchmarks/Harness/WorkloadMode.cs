namespace HsmRaft.Benchmarks.Harness;

/// <summary>A load shape from issue 11: how many writers each await one proposal at a time, and its size.</summary>
/// <param name="Key">Name used on the command line (<c>--mode</c>).</param>
/// <param name="Title">Label in tables.</param>
/// <param name="Writers">Concurrent writers; each awaits its proposal before sending the next.</param>
/// <param name="PayloadBytes">Size of every proposed command.</param>
public sealed record WorkloadMode(string Key, string Title, int Writers, int PayloadBytes)
{
    /// <summary>The one-writer latency mode (the p50 target applies to it).</summary>
    public static WorkloadMode OneWriter16B { get; } = new("1w16b", "1 writer, 16 B", 1, 16);

    /// <summary>64 writers with 16 B commands (the 3x throughput target applies to it).</summary>
    public static WorkloadMode Writers64x16B { get; } = new("64w16b", "64 writers, 16 B", 64, 16);

    /// <summary>64 writers with 1 KiB commands (the 3x throughput target applies to it).</summary>
    public static WorkloadMode Writers64x1KiB { get; } = new("64w1k", "64 writers, 1 KiB", 64, 1024);

    /// <summary>256 writers with 16 B commands.</summary>
    public static WorkloadMode Writers256x16B { get; } = new("256w16b", "256 writers, 16 B", 256, 16);

    /// <summary>All modes in the order they run.</summary>
    public static IReadOnlyList<WorkloadMode> All { get; } = [OneWriter16B, Writers64x16B, Writers64x1KiB, Writers256x16B];
}
