using Microsoft.Extensions.Logging;

namespace HsmRaft.Runtime;

/// <summary>The node's log messages (event ids 1000–1099).</summary>
internal static partial class NodeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Raft node {NodeId} starting: term {Term}, log {FirstIndex}..{LastIndex}, snapshot {SnapshotIndex}, members {Configuration}")]
    public static partial void Starting(ILogger logger, NodeId nodeId, long term, long firstIndex, long lastIndex, long snapshotIndex, ClusterConfiguration configuration);

    [LoggerMessage(1001, LogLevel.Information, "Raft node {NodeId} bootstrapped a new cluster with members {Configuration}")]
    public static partial void Bootstrapped(ILogger logger, NodeId nodeId, ClusterConfiguration configuration);

    [LoggerMessage(1002, LogLevel.Information, "Raft node {NodeId} is {Role} in term {Term}; leader {Leader}")]
    public static partial void RoleChanged(ILogger logger, NodeId nodeId, Core.RaftRole role, long term, NodeId leader);

    [LoggerMessage(1003, LogLevel.Information, "Raft node {NodeId} configuration is now {Configuration}")]
    public static partial void ConfigurationChanged(ILogger logger, NodeId nodeId, ClusterConfiguration configuration);

    [LoggerMessage(1004, LogLevel.Information, "Raft node {NodeId} took snapshot at index {Index} ({Bytes} bytes) in {Milliseconds} ms")]
    public static partial void SnapshotTaken(ILogger logger, NodeId nodeId, long index, long bytes, long milliseconds);

    [LoggerMessage(1005, LogLevel.Information, "Raft node {NodeId} installed snapshot at index {Index} from the leader")]
    public static partial void SnapshotInstalled(ILogger logger, NodeId nodeId, long index);

    [LoggerMessage(1006, LogLevel.Error, "Raft node {NodeId} failed to take a snapshot")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, NodeId nodeId);

    [LoggerMessage(1007, LogLevel.Error, "Raft node {NodeId}: the state machine threw applying entry {Index}; the error is returned to the proposer and the entry counts as applied")]
    public static partial void ApplyFailed(ILogger logger, Exception exception, NodeId nodeId, long index);

    [LoggerMessage(1008, LogLevel.Critical, "Raft node {NodeId} stopped: its loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception, NodeId nodeId);

    [LoggerMessage(1009, LogLevel.Information, "Raft node {NodeId} stopping (leader: {WasLeader})")]
    public static partial void Stopping(ILogger logger, NodeId nodeId, bool wasLeader);

    [LoggerMessage(1010, LogLevel.Warning, "Raft node {NodeId} could not send snapshot chunk to {Peer}")]
    public static partial void SnapshotSendFailed(ILogger logger, Exception exception, NodeId nodeId, NodeId peer);
}
