using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>Receives the messages a transport reads from the network.</summary>
public interface IRaftMessageHandler
{
    /// <summary>Handles one inbound message. Transports await the returned task before reading more from the same
    /// connection, which is how a busy node pushes back on its peers.</summary>
    ValueTask HandleAsync(RaftMessage message, CancellationToken cancellationToken);
}

/// <summary>How a transport sees one peer.</summary>
/// <param name="Connected">True when a connection is currently established.</param>
/// <param name="ConsecutiveFailures">Connection or send failures since the last success.</param>
/// <param name="QueuedMessages">Messages waiting to be written to the peer.</param>
/// <param name="DroppedMessages">Messages discarded since start (queue full, peer unreachable).</param>
/// <param name="LastSuccess">When a write to the peer last succeeded, if ever.</param>
public readonly record struct PeerHealth(bool Connected, int ConsecutiveFailures, long QueuedMessages, long DroppedMessages, DateTimeOffset? LastSuccess)
{
    /// <summary>Messages written to the peer since start.</summary>
    public long SentMessages { get; init; }

    /// <summary>Writes (batches of coalesced messages) made to the peer since start; <see cref="SentMessages"/> divided by
    /// this is the average batch size.</summary>
    public long SentBatches { get; init; }
}

/// <summary>
/// Moves Raft messages between nodes. Raft tolerates loss, duplication and reordering, so a transport may drop
/// messages when a peer is slow or unreachable; it must never block the caller, and it should keep each peer's
/// messages in order so pipelined replication is not needlessly disturbed. See docs/transports.md.
/// </summary>
public interface IRaftTransport : IAsyncDisposable
{
    /// <summary>Starts listening and connecting. Inbound messages go to <paramref name="handler"/>.</summary>
    ValueTask StartAsync(IRaftMessageHandler handler, CancellationToken cancellationToken = default);

    /// <summary>Queues a message for <see cref="RaftMessage.To"/>. Returns immediately; a slow or unknown peer never
    /// delays messages to other peers.</summary>
    void Send(RaftMessage message);

    /// <summary>Sets the peers and their addresses (called at start and whenever membership changes).</summary>
    void UpdatePeers(IReadOnlyCollection<ClusterMember> peers);

    /// <summary>Reports the transport's view of one peer.</summary>
    PeerHealth GetPeerHealth(NodeId peer);
}
