namespace HsmRaft.Core;

/// <summary>
/// Settings of the deterministic protocol core. Time is counted in ticks: the runtime calls <see cref="RaftCore.Tick"/>
/// every <c>TickInterval</c> (see the runtime options), so an election timeout of 10 ticks at 50 ms is 0.5–1 s.
/// </summary>
public sealed class RaftCoreOptions
{
    /// <summary>This node's id (required, positive).</summary>
    public NodeId Id { get; set; }

    /// <summary>Base election timeout in ticks; each term a follower waits a random time in [n, 2n). Default 10.</summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>Ticks between leader heartbeats; must be less than <see cref="ElectionTicks"/>. Default 1.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Run a pre-vote round before a real election so a partitioned node cannot inflate terms (thesis §9.6). Default on.</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>A leader that has not heard from a quorum within an election timeout steps down, and nodes that heard from a leader
    /// within the timeout ignore vote requests (thesis §6.2, §9.6). Default on.</summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>
    /// Serve linearizable reads from a leader lease instead of a heartbeat round (the lease holds while a quorum answered a heartbeat
    /// the leader sent at most ElectionTicks − 2 ticks ago, and no leadership transfer was started in the term; otherwise the read
    /// waits for a heartbeat round). Message delays do not matter: the lease is timed from when heartbeats were sent. Off by default:
    /// it assumes clocks on all nodes advance at the same rate within a bounded drift, and that a tick is never delayed by more than
    /// the lease margin. Requires <see cref="CheckQuorum"/>.
    /// </summary>
    public bool LeaseReads { get; set; }

    /// <summary>Maximum entries in one AppendEntries message. Default 1024.</summary>
    public int MaxEntriesPerMessage { get; set; } = 1024;

    /// <summary>Maximum payload bytes in one AppendEntries message (at least one entry is always sent). Default 1 MiB.</summary>
    public long MaxBytesPerMessage { get; set; } = 1 << 20;

    /// <summary>Maximum AppendEntries messages in flight to one follower (the pipelining window). Default 256.</summary>
    public int MaxInflightMessages { get; set; } = 256;

    /// <summary>Bytes of proposed but uncommitted entries above which the leader rejects new proposals. Default 64 MiB.</summary>
    public long MaxUncommittedBytes { get; set; } = 64L << 20;

    /// <summary>Size of one InstallSnapshot chunk. Default 1 MiB.</summary>
    public int SnapshotChunkSize { get; set; } = 1 << 20;

    /// <summary>Snapshot chunks in flight to one follower. Default 4.</summary>
    public int MaxInflightSnapshotChunks { get; set; } = 4;

    /// <summary>A new voter is caught up when its log is within this many entries of the leader's. Default 64.</summary>
    public long CatchUpMaxLag { get; set; } = 64;

    /// <summary>Ticks a membership change waits for new voters to catch up before failing. Default 20 × <see cref="ElectionTicks"/>.</summary>
    public int CatchUpTimeoutTicks { get; set; }

    /// <summary>Ticks a leadership transfer may take before it is abandoned. Default <see cref="ElectionTicks"/>.</summary>
    public int TransferTimeoutTicks { get; set; }

    /// <summary>Seed of the random election timeouts. Same seed, same inputs: same outputs.</summary>
    public int Seed { get; set; }

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
        Require(ElectionTicks >= 2, nameof(ElectionTicks), $"got {ElectionTicks}; use at least 2 (10 is typical).");
        Require(HeartbeatTicks >= 1 && HeartbeatTicks < ElectionTicks, nameof(HeartbeatTicks),
            $"got {HeartbeatTicks}; use at least 1 and less than ElectionTicks ({ElectionTicks}), e.g. 1.");
        Require(!LeaseReads || CheckQuorum, nameof(LeaseReads), "lease reads are only safe with CheckQuorum = true.");
        Require(MaxEntriesPerMessage >= 1, nameof(MaxEntriesPerMessage), $"got {MaxEntriesPerMessage}; use at least 1 (1024 is typical).");
        Require(MaxBytesPerMessage >= 1024, nameof(MaxBytesPerMessage), $"got {MaxBytesPerMessage}; use at least 1024 (1048576 is typical).");
        Require(MaxInflightMessages >= 1, nameof(MaxInflightMessages), $"got {MaxInflightMessages}; use at least 1 (256 is typical).");
        Require(MaxUncommittedBytes >= 1024, nameof(MaxUncommittedBytes), $"got {MaxUncommittedBytes}; use at least 1024.");
        Require(SnapshotChunkSize >= 1024, nameof(SnapshotChunkSize), $"got {SnapshotChunkSize}; use at least 1024 (1048576 is typical).");
        Require(MaxInflightSnapshotChunks >= 1, nameof(MaxInflightSnapshotChunks), $"got {MaxInflightSnapshotChunks}; use at least 1.");
        Require(CatchUpMaxLag >= 0, nameof(CatchUpMaxLag), $"got {CatchUpMaxLag}; use 0 or more.");
        Require(CatchUpTimeoutTicks >= 0 && TransferTimeoutTicks >= 0, nameof(CatchUpTimeoutTicks), "timeouts cannot be negative (0 picks the default).");
    }

    internal int EffectiveCatchUpTimeoutTicks => CatchUpTimeoutTicks > 0 ? CatchUpTimeoutTicks : 20 * ElectionTicks;

    internal int EffectiveTransferTimeoutTicks => TransferTimeoutTicks > 0 ? TransferTimeoutTicks : ElectionTicks;

    /// <summary>A copy, so a running core never sees later edits.</summary>
    public RaftCoreOptions Clone() => (RaftCoreOptions)MemberwiseClone();
}
