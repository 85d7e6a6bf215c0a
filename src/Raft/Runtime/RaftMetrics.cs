using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HsmRaft.Runtime;

/// <summary>
/// The node's metrics on the <c>HsmRaft</c> meter (OpenTelemetry picks them up by meter name) and its activity source.
/// Every instrument carries the <c>raft.node</c> tag.
/// </summary>
public sealed class RaftMetrics : IDisposable
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string MeterName = "HsmRaft";

    /// <summary>Activity source for node operations (proposals, membership changes, snapshots).</summary>
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _tag;

    internal RaftMetrics(NodeId node, Func<Core.RaftStatus> status, IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _tag = new KeyValuePair<string, object?>("raft.node", node.ToString());
        var tag = _tag;
        _meter.CreateObservableGauge("raft.term", () => new Measurement<long>(status().Term, tag), description: "Current term");
        _meter.CreateObservableGauge("raft.role", () => new Measurement<int>((int)status().Role, tag),
            description: "Role: 0 follower, 1 pre-candidate, 2 candidate, 3 leader");
        _meter.CreateObservableGauge("raft.commit_index", () => new Measurement<long>(status().CommitIndex, tag), description: "Commit index");
        _meter.CreateObservableGauge("raft.applied_index", () => new Measurement<long>(status().AppliedIndex, tag), description: "Applied index");
        Proposals = _meter.CreateCounter<long>("raft.proposals", description: "Commands proposed on this node");
        CommitLatency = _meter.CreateHistogram<double>("raft.commit_latency", "ms", "From proposal to applied on the leader");
        FsyncLatency = _meter.CreateHistogram<double>("raft.fsync_latency", "ms", "Durable append of one batch (write + fsync)");
        AppendBatch = _meter.CreateHistogram<long>("raft.append_batch", "{entries}", "Entries made durable per fsync (group commit)");
        MessagesSent = _meter.CreateCounter<long>("raft.messages_sent", description: "Messages handed to the transport");
        BytesSent = _meter.CreateCounter<long>("raft.bytes_sent", "By", "Entry and snapshot payload bytes handed to the transport");
        SnapshotsTaken = _meter.CreateCounter<long>("raft.snapshots_taken", description: "Snapshots written by this node");
        SnapshotInstalls = _meter.CreateCounter<long>("raft.snapshot_installs", description: "Snapshots received from a leader and installed");
        SnapshotChunksSent = _meter.CreateCounter<long>("raft.snapshot_chunks_sent", description: "InstallSnapshot chunks sent to followers");
        SnapshotSize = _meter.CreateHistogram<long>("raft.snapshot_size", "By", "Size of snapshots taken");
        SnapshotDuration = _meter.CreateHistogram<double>("raft.snapshot_duration", "ms", "Time to write a snapshot");
    }

    internal KeyValuePair<string, object?> Tag => _tag;

    internal Counter<long> Proposals { get; }

    internal Histogram<double> CommitLatency { get; }

    internal Histogram<double> FsyncLatency { get; }

    internal Histogram<long> AppendBatch { get; }

    internal Counter<long> MessagesSent { get; }

    internal Counter<long> BytesSent { get; }

    internal Counter<long> SnapshotsTaken { get; }

    internal Counter<long> SnapshotInstalls { get; }

    internal Counter<long> SnapshotChunksSent { get; }

    /// <summary>InstallSnapshot chunks this node has sent since it started.</summary>
    public long SnapshotChunksSentTotal => Interlocked.Read(ref _snapshotChunksSent);

    private long _snapshotChunksSent;

    internal void ChunkSent()
    {
        Interlocked.Increment(ref _snapshotChunksSent);
        SnapshotChunksSent.Add(1, _tag);
    }

    internal Histogram<long> SnapshotSize { get; }

    internal Histogram<double> SnapshotDuration { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
