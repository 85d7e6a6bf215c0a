using HsmRaft.Benchmarks.DotNextPeer;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>A Raft implementation the harness knows, available in this build or not.</summary>
/// <param name="Key">Name used on the command line (<c>--only</c>).</param>
/// <param name="Name">Label in tables.</param>
/// <param name="IsPeer">True for the implementation the others are compared with (the denominator of the ratios).</param>
/// <param name="Create">Creates a fresh cluster for one run; null when the implementation is not in this build.</param>
/// <param name="UnavailableReason">Why <paramref name="Create"/> is null, shown in the report.</param>
public sealed record ClusterImplementation(string Key, string Name, bool IsPeer, Func<IClusterUnderTest>? Create, string? UnavailableReason)
{
    /// <summary>True when this build can run the implementation.</summary>
    public bool IsAvailable => Create is not null;

    /// <summary>
    /// Every implementation, HsmRaft variants first. The HsmRaft node does not exist in this build yet:
    /// to plug it in, write an <see cref="IClusterUnderTest"/> for it and set <c>Create</c> below (one entry
    /// per transport, e.g. "hsmraft-grpc" and "hsmraft-tcp"); README.md in this folder lists what it must do.
    /// </summary>
    public static IReadOnlyList<ClusterImplementation> All { get; } =
    [
        new("hsmraft", "HsmRaft", IsPeer: false, Create: null,
            UnavailableReason: "not available in this build: the HsmRaft node (runtime loop, file log store, transport) is not written yet"),
        new("dotnext", "DotNext 6.12.0", IsPeer: true, Create: static () => new DotNextCluster(), UnavailableReason: null),
    ];
}
