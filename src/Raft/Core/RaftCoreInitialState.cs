using HsmRaft.Storage;

namespace HsmRaft.Core;

/// <summary>What a node recovered from its storage, to start a <see cref="RaftCore"/> with.</summary>
/// <param name="HardState">Term, vote and commit index.</param>
/// <param name="Log">The log after its start marker.</param>
/// <param name="Snapshot">The latest snapshot's metadata (the state machine must already be restored from it), or null.</param>
/// <param name="Configuration">The configuration last persisted; used only when neither the log nor the snapshot holds one.</param>
public sealed record RaftCoreInitialState(HardState HardState, LogRecovery Log, SnapshotMetadata? Snapshot, ClusterConfiguration Configuration)
{
    /// <summary>A node with no state that waits to be added to an existing cluster.</summary>
    public static RaftCoreInitialState Empty { get; } = new(HardState.Empty, new LogRecovery(0, 0, []), null, ClusterConfiguration.Empty);

    /// <summary>
    /// The state every founding member of a new cluster starts from: the initial configuration as entry 1 (term 1), committed.
    /// All founding members must use the same configuration. The runtime persists it before starting the core.
    /// </summary>
    public static RaftCoreInitialState Bootstrap(ClusterConfiguration initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        if (initial.Voters.IsEmpty || initial.IsJoint)
        {
            throw new ArgumentException("A new cluster needs a non-joint configuration with at least one voter.", nameof(initial));
        }

        var entry = new LogEntry(1, 1, LogEntryKind.Configuration, initial.Encode());
        return new RaftCoreInitialState(new HardState(1, NodeId.None, 1), new LogRecovery(0, 0, [entry]), null, initial);
    }
}
