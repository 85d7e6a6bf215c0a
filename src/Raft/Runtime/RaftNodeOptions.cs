using HsmRaft.Core;

namespace HsmRaft.Runtime;

/// <summary>Settings of a running node: identity, founding members, timing and the snapshot policy.</summary>
public sealed class RaftNodeOptions
{
    /// <summary>This node's id (required, positive).</summary>
    public NodeId Id { get; set; }

    /// <summary>
    /// The founding members of a new cluster (every founding node must list the same members, itself included). Used only the first
    /// time a node starts with empty storage: a node listed here bootstraps the cluster; a node not listed waits to be added by a
    /// membership change. Later starts recover the membership from storage and ignore this list.
    /// </summary>
    public List<ClusterMember> InitialMembers { get; set; } = [];

    /// <summary>Nodes the transport should accept messages from and reach before the membership is known (e.g. the existing members,
    /// for a node that waits to be added). Optional.</summary>
    public List<ClusterMember> KnownPeers { get; set; } = [];

    /// <summary>Length of one protocol tick. Default 50 ms (with 10 election ticks: 0.5–1 s election timeout, 50 ms heartbeats).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Protocol settings (election and heartbeat ticks, batching, pipelining, pre-vote, check-quorum, lease reads...).
    /// Its <see cref="RaftCoreOptions.Id"/> is set from <see cref="Id"/>.</summary>
    public RaftCoreOptions Protocol { get; set; } = new();

    /// <summary>Take a snapshot after this many applied entries since the last one (0 disables). Default 10 000.</summary>
    public long SnapshotEveryEntries { get; set; } = 10_000;

    /// <summary>Take a snapshot after this many bytes of applied commands since the last one (0 disables). Default 64 MiB.
    /// A snapshot is taken when either threshold is reached.</summary>
    public long SnapshotEveryBytes { get; set; } = 64L << 20;

    /// <summary>Entries kept in the log below a snapshot, so slightly lagging followers catch up without a snapshot. Default 1 000.</summary>
    public long SnapshotTrailingEntries { get; set; } = 1_000;

    /// <summary>The time source (ticks, timeouts). Tests use a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Maximum queued inputs (messages, proposals) before callers wait. Default 65 536.</summary>
    public int InboxCapacity { get; set; } = 65_536;

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the setting and a valid value.</summary>
    public void Validate()
    {
        static void Require(bool ok, string setting, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"Raft option '{setting}' is invalid: {message}", setting);
            }
        }

        Require(!Id.IsNone, nameof(Id), "set it to this node's positive id (e.g. 1).");
        Require(TickInterval >= TimeSpan.FromMilliseconds(1) && TickInterval <= TimeSpan.FromSeconds(10), nameof(TickInterval),
            $"got {TickInterval.TotalMilliseconds} ms; use between 1 ms and 10 s (50 ms is typical).");
        Require(SnapshotEveryEntries >= 0, nameof(SnapshotEveryEntries), $"got {SnapshotEveryEntries}; use 0 (off) or a positive count such as 10000.");
        Require(SnapshotEveryBytes >= 0, nameof(SnapshotEveryBytes), $"got {SnapshotEveryBytes}; use 0 (off) or a positive size such as 67108864.");
        Require(SnapshotTrailingEntries >= 0, nameof(SnapshotTrailingEntries), $"got {SnapshotTrailingEntries}; use 0 or more (1000 is typical).");
        Require(InboxCapacity >= 16, nameof(InboxCapacity), $"got {InboxCapacity}; use at least 16 (65536 is typical).");
        Require(InitialMembers.Select(m => m.Id).Distinct().Count() == InitialMembers.Count, nameof(InitialMembers), "a node id appears twice; list each member once.");
        Require(InitialMembers.All(m => !m.Id.IsNone && !string.IsNullOrWhiteSpace(m.Address)), nameof(InitialMembers),
            "every member needs a positive id and an address, e.g. { Id = 1, Address = \"http://127.0.0.1:5001\" }.");
        var protocol = Protocol.Clone();
        protocol.Id = Id;
        protocol.Validate();
    }
}
