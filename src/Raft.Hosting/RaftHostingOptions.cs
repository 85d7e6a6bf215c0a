namespace HsmRaft.Hosting;

/// <summary>A member of the cluster as configured: <c>{ "Id": 1, "Address": "http://127.0.0.1:5001" }</c>.</summary>
public sealed class RaftMemberOptions
{
    /// <summary>The member's node id (positive).</summary>
    public ulong Id { get; set; }

    /// <summary>Its transport address (for gRPC: <c>http://IP:port</c> or <c>https://IP:port</c>).</summary>
    public string Address { get; set; } = "";
}

/// <summary>
/// Everything needed to run a node, bindable from configuration (section <c>Raft</c> by default). Every setting is checked at
/// start-up; an invalid one stops the host with a message naming it and a valid value.
/// </summary>
public sealed class RaftHostingOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "Raft";

    /// <summary>This node's id (required, positive).</summary>
    public ulong NodeId { get; set; }

    /// <summary>Names the cluster; frames from other clusters are rejected. 1–64 of <c>[A-Za-z0-9._-]</c>. Default <c>hsmraft</c>.</summary>
    public string ClusterId { get; set; } = "hsmraft";

    /// <summary>The cluster's founding members (a node listed here bootstraps the cluster on its very first start) and the peers a new
    /// node contacts before it is added. Must include this node unless <see cref="Join"/> is set.</summary>
    public List<RaftMemberOptions> Members { get; set; } = [];

    /// <summary>This node joins an existing cluster (it is not a founding member): it starts empty and waits to be added by a
    /// membership change. Its address must then be given in <see cref="Address"/>.</summary>
    public bool Join { get; set; }

    /// <summary>This node's transport address; defaults to its entry in <see cref="Members"/>.</summary>
    public string? Address { get; set; }

    /// <summary>Directory of this node's log, hard state and snapshots (required; one directory per node).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Length of a protocol tick in milliseconds. Default 50.</summary>
    public int TickIntervalMilliseconds { get; set; } = 50;

    /// <summary>Election timeout in ticks (randomized in [n, 2n)). Default 10.</summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>Heartbeat interval in ticks. Default 1.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Pre-vote (default on).</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>Check-quorum (default on).</summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>Lease-based reads (default off; see the clock assumption in docs/raft.md).</summary>
    public bool LeaseReads { get; set; }

    /// <summary>Take a snapshot after this many applied entries (0 disables). Default 10 000.</summary>
    public long SnapshotEveryEntries { get; set; } = 10_000;

    /// <summary>Take a snapshot after this many bytes of applied commands (0 disables). Default 64 MiB.</summary>
    public long SnapshotEveryBytes { get; set; } = 64L << 20;

    /// <summary>Entries kept below a snapshot for lagging followers. Default 1 000.</summary>
    public long SnapshotTrailingEntries { get; set; } = 1_000;

    /// <summary>Log segment size in bytes. Default 64 MiB.</summary>
    public long SegmentSizeBytes { get; set; } = 64L << 20;

    /// <summary><c>DataSync</c> (default, fdatasync before acknowledging), <c>FullSync</c> (fsync), or <c>UnsafeNoSync</c>
    /// (never syncs: acknowledged writes can be lost on power failure; only for tests and throwaway data).</summary>
    public string FsyncMode { get; set; } = "DataSync";

    /// <summary>Transport: <c>grpc</c> (default) or <c>custom</c> (register your own with <c>RaftBuilder.UseTransport</c>).</summary>
    public string Transport { get; set; } = "grpc";

    /// <summary>Path of a PFX/PKCS#12 certificate enabling TLS (and, with <see cref="TrustedCaPath"/>, mutual TLS). Optional.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>, if any.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>PEM file of the CA that signed every node's certificate; with it, peers must present a certificate from that CA.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>How long a stopping leader spends handing leadership over and draining proposals (bounded by the host's shutdown
    /// timeout). Default 5 s.</summary>
    public int ShutdownHandOverMilliseconds { get; set; } = 5000;

    /// <summary>The health check reports Degraded when the applied index lags the commit index by more than this. Default 1000.</summary>
    public long HealthMaxApplyLag { get; set; } = 1000;
}
