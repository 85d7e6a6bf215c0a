namespace HsmRaft;

/// <summary>Describes a snapshot: the log prefix it replaces and the configuration in force at its last entry.</summary>
/// <param name="LastIncludedIndex">Index of the last log entry the snapshot covers.</param>
/// <param name="LastIncludedTerm">Term of that entry.</param>
/// <param name="Configuration">The latest configuration at or before <paramref name="LastIncludedIndex"/>.</param>
/// <param name="Size">Length of the snapshot data in bytes (0 when not yet known).</param>
public sealed record SnapshotMetadata(long LastIncludedIndex, long LastIncludedTerm, ClusterConfiguration Configuration, long Size = 0);
