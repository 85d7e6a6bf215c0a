using HsmRaft.Benchmarks.DotNextPeer;
using HsmRaft.Benchmarks.HsmRaftPeer;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>Which side of the comparison an implementation is on.</summary>
public enum Side
{
    /// <summary>An HsmRaft configuration: the numerator of every ratio.</summary>
    HsmRaft,

    /// <summary>The peer exactly as issue 11 specifies it (defaults); the targets are judged against it.</summary>
    Peer,

    /// <summary>The peer with its own options tuned, same durability: ratios against it are informational.</summary>
    TunedPeer,
}

/// <summary>A Raft implementation the harness knows, available in this build or not.</summary>
/// <param name="Key">Name used on the command line (<c>--only</c>).</param>
/// <param name="Name">Label in tables.</param>
/// <param name="Side">Its side of the comparison.</param>
/// <param name="Configuration">
/// Transport, storage and durability it runs with; in particular when each voter fsyncs relative to
/// acknowledging. Written to the report.
/// </param>
/// <param name="Create">Creates a fresh cluster for one run; null when the implementation is not in this build.</param>
/// <param name="UnavailableReason">Why <paramref name="Create"/> is null, shown in the report.</param>
public sealed record ClusterImplementation(string Key, string Name, Side Side, string Configuration, Func<IClusterUnderTest>? Create, string? UnavailableReason)
{
    /// <summary>True when this build can run the implementation.</summary>
    public bool IsAvailable => Create is not null;

    /// <summary>
    /// Every implementation, HsmRaft configurations first. The HsmRaft node does not exist in this build yet:
    /// to plug it in, write an <see cref="IClusterUnderTest"/> for it and set <c>Create</c> below (one entry
    /// per transport, e.g. "hsmraft-grpc" and "hsmraft-tcp"); README.md in this folder lists what it must do.
    /// </summary>
    public static IReadOnlyList<ClusterImplementation> All { get; } =
    [
        new("hsmraft-grpc", "HsmRaft gRPC", Side.HsmRaft, HsmRaftCluster.Describe(HsmRaftTransportKind.Grpc),
            Create: static () => new HsmRaftCluster(HsmRaftTransportKind.Grpc), UnavailableReason: null),
        new("hsmraft-tcp", "HsmRaft TCP", Side.HsmRaft, HsmRaftCluster.Describe(HsmRaftTransportKind.Tcp),
            Create: static () => new HsmRaftCluster(HsmRaftTransportKind.Tcp), UnavailableReason: null),
        new("dotnext", "DotNext 6.12.0", Side.Peer, DotNextCluster.DefaultConfiguration,
            Create: static () => new DotNextCluster(DotNextCluster.Defaults), UnavailableReason: null),
        new("dotnext-tuned", "DotNext 6.12.0 tuned", Side.TunedPeer, DotNextCluster.TunedConfiguration,
            Create: static () => new DotNextCluster(DotNextCluster.Tuned), UnavailableReason: null),
    ];
}
