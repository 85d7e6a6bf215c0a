namespace HsmRaft.Transport;

/// <summary>
/// Settings every transport shares: who this node is, which cluster it belongs to, how large a message may be,
/// how much it may queue for a peer, how it reconnects, and how it secures connections.
/// Call <see cref="Validate"/> at start-up (the built-in transports do) so a bad value fails early with a message
/// that names the setting and a valid value.
/// </summary>
public sealed class RaftTransportOptions
{
    /// <summary>The smallest <see cref="MaxMessageSize"/> accepted (64 KiB).</summary>
    public const int MinMessageSizeLimit = 64 * 1024;

    /// <summary>The largest <see cref="MaxMessageSize"/> accepted (256 MiB).</summary>
    public const int MaxMessageSizeLimit = 256 * 1024 * 1024;

    /// <summary>The smallest <see cref="MaxChunkSize"/> accepted (1 KiB).</summary>
    public const int MinChunkSizeLimit = 1024;

    /// <summary>The longest <see cref="ClusterId"/>, in UTF-8 bytes.</summary>
    public const int MaxClusterIdLength = 64;

    /// <summary>This node's id: stamped on every frame as the sender, and required as the receiver of every inbound frame.</summary>
    public NodeId LocalNodeId { get; set; }

    /// <summary>Names the cluster. Every frame carries it, and frames from another cluster are rejected, so two clusters
    /// that share hosts or reuse ports cannot mix. 1–64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>Largest serialized message (frame payload) sent or accepted, in bytes; checked from the frame header
    /// before anything is allocated. Default 4 MiB. Bound the core's replication batch size below it.</summary>
    public int MaxMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest snapshot chunk (<c>InstallSnapshot.Data</c>) sent or accepted, in bytes. Default 1 MiB.
    /// An <c>InstallSnapshot</c> frame may be up to this plus <see cref="RaftFrameHeader.SnapshotMetadataAllowance"/>.</summary>
    public int MaxChunkSize { get; set; } = 1024 * 1024;

    /// <summary>Messages queued per peer before the oldest is dropped (and counted in <see cref="PeerHealth.DroppedMessages"/>).
    /// Raft retransmits what is lost, so dropping is safe; it bounds the memory a slow or dead peer can hold. Default 4096.</summary>
    public int PeerQueueCapacity { get; set; } = 4096;

    /// <summary>Delay before the first reconnect attempt; doubles on every consecutive failure up to
    /// <see cref="ReconnectBackoffMax"/>, with random jitter. Default 50 ms.</summary>
    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest delay between reconnect attempts. Default 5 s.</summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long establishing a connection to a peer may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one batch write may stall (for example because the peer stopped reading) before the connection
    /// is closed and re-established. Default 10 s.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an inbound connection may take to deliver the rest of a frame it has started (a peer that stalls
    /// mid-frame would otherwise hold a buffer of up to <see cref="MaxMessageSize"/> indefinitely); the connection is then
    /// closed and the reason logged. Idle time between whole frames is not limited. Default 30 s.</summary>
    public TimeSpan FrameReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most inbound connections (streams, for gRPC) this node keeps open at once; one more is refused and the
    /// refusal logged, so a flood of connections cannot pin a reader and buffers each. A cluster needs about one per peer
    /// (two for a moment while a peer reconnects). Default 1024.</summary>
    public int MaxInboundConnections { get; set; } = 1024;

    /// <summary>TLS and mutual TLS settings; null or <see cref="TransportSecurityOptions.Certificate"/> unset means cleartext
    /// (only sensible on loopback or a private network).</summary>
    public TransportSecurityOptions? Security { get; set; }

    /// <summary>The largest payload accepted for a frame of <paramref name="type"/>: snapshot chunks are bounded by
    /// <see cref="MaxChunkSize"/> (plus room for their metadata), everything else by <see cref="MaxMessageSize"/>.</summary>
    public int MaxPayloadSize(Messages.RaftMessageType type) =>
        type == Messages.RaftMessageType.InstallSnapshot
            ? MaxChunkSize + RaftFrameHeader.SnapshotMetadataAllowance
            : MaxMessageSize;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names each bad setting and a valid value.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (LocalNodeId.IsNone)
        {
            problems.Add("RaftTransportOptions.LocalNodeId is not set; use this node's positive id, for example 1.");
        }

        if (!IsValidClusterId(ClusterId))
        {
            problems.Add($"RaftTransportOptions.ClusterId '{ClusterId}' is invalid; use 1-{MaxClusterIdLength} characters of letters, digits, '.', '_' or '-', for example \"orders-prod\".");
        }

        if (MaxMessageSize is < MinMessageSizeLimit or > MaxMessageSizeLimit)
        {
            problems.Add($"RaftTransportOptions.MaxMessageSize is {MaxMessageSize}; use {MinMessageSizeLimit}..{MaxMessageSizeLimit} bytes, for example {4 * 1024 * 1024} (4 MiB).");
        }

        if (MaxChunkSize < MinChunkSizeLimit || MaxChunkSize > MaxMessageSizeLimit - RaftFrameHeader.SnapshotMetadataAllowance)
        {
            problems.Add($"RaftTransportOptions.MaxChunkSize is {MaxChunkSize}; use {MinChunkSizeLimit}..{MaxMessageSizeLimit - RaftFrameHeader.SnapshotMetadataAllowance} bytes, for example {1024 * 1024} (1 MiB).");
        }

        if (PeerQueueCapacity < 1)
        {
            problems.Add($"RaftTransportOptions.PeerQueueCapacity is {PeerQueueCapacity}; use a positive number of messages, for example 4096.");
        }

        if (MaxInboundConnections < 1)
        {
            problems.Add($"RaftTransportOptions.MaxInboundConnections is {MaxInboundConnections}; use a positive number, for example 1024.");
        }

        CheckPositive(problems, nameof(ReconnectBackoffMin), ReconnectBackoffMin, "50 ms");
        CheckPositive(problems, nameof(ConnectTimeout), ConnectTimeout, "5 s");
        CheckPositive(problems, nameof(WriteTimeout), WriteTimeout, "10 s");
        CheckPositive(problems, nameof(FrameReadTimeout), FrameReadTimeout, "30 s");
        if (ReconnectBackoffMax < ReconnectBackoffMin)
        {
            problems.Add($"RaftTransportOptions.ReconnectBackoffMax ({ReconnectBackoffMax}) is below ReconnectBackoffMin ({ReconnectBackoffMin}); use a value at least as large, for example 5 s.");
        }

        Security?.Validate(problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Raft transport options:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
    }

    /// <summary>True when <paramref name="clusterId"/> is a valid <see cref="ClusterId"/>.</summary>
    public static bool IsValidClusterId(string? clusterId)
    {
        if (string.IsNullOrEmpty(clusterId) || clusterId.Length > MaxClusterIdLength)
        {
            return false;
        }

        foreach (var c in clusterId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckPositive(List<string> problems, string name, TimeSpan value, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"RaftTransportOptions.{name} is {value}; use a positive duration, for example {example}.");
        }
    }
}
