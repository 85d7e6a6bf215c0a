using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport;

/// <summary>The transports' log events (EventIds 9000–9099). Transport authors may use them for the same situations.</summary>
public static partial class TransportLog
{
    /// <summary>An inbound connection sent an invalid frame and was closed. Logged once per connection.</summary>
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Closed inbound connection from {RemoteAddress}: {Reason}")]
    public static partial void InboundRejected(ILogger logger, string remoteAddress, string reason);

    /// <summary>An inbound connection failed at the network level (reset, TLS failure).</summary>
    [LoggerMessage(EventId = 9002, Level = LogLevel.Debug, Message = "Inbound connection from {RemoteAddress} ended: {Reason}")]
    public static partial void InboundEnded(ILogger logger, string remoteAddress, string reason);

    /// <summary>Connected to a peer.</summary>
    [LoggerMessage(EventId = 9010, Level = LogLevel.Information, Message = "Connected to peer {Peer} at {Address}")]
    public static partial void PeerConnected(ILogger logger, NodeId peer, string address);

    /// <summary>The first failure to reach a peer after it was reachable (later attempts log at Debug).</summary>
    [LoggerMessage(EventId = 9011, Level = LogLevel.Warning, Message = "Cannot reach peer {Peer} at {Address}: {Reason}; retrying with backoff")]
    public static partial void PeerUnreachable(ILogger logger, NodeId peer, string address, string reason);

    /// <summary>A further failed attempt to reach a peer.</summary>
    [LoggerMessage(EventId = 9012, Level = LogLevel.Debug, Message = "Attempt {Attempt} to reach peer {Peer} at {Address} failed: {Reason}; next in {Delay}")]
    public static partial void PeerRetry(ILogger logger, int attempt, NodeId peer, string address, string reason, TimeSpan delay);

    /// <summary>A peer stopped reading: a write stalled past the write timeout and the connection was closed.</summary>
    [LoggerMessage(EventId = 9013, Level = LogLevel.Warning, Message = "Peer {Peer} at {Address} stopped reading (a write stalled for {Timeout}); closed the connection")]
    public static partial void PeerStalled(ILogger logger, NodeId peer, string address, TimeSpan timeout);

    /// <summary>A removed peer's link stopped and what the transport kept for it (a channel, a pool) was released.</summary>
    [LoggerMessage(EventId = 9014, Level = LogLevel.Debug, Message = "Released the connection to removed peer {Peer} at {Address}")]
    public static partial void PeerReleased(ILogger logger, NodeId peer, string address);

    /// <summary>A message could not be sent because it breaks a limit the receiver enforces.</summary>
    [LoggerMessage(EventId = 9020, Level = LogLevel.Error, Message = "Dropped a message to peer {Peer}: {Reason}")]
    public static partial void MessageRejected(ILogger logger, NodeId peer, string reason);

    /// <summary>A message was addressed to a node that is not a peer.</summary>
    [LoggerMessage(EventId = 9021, Level = LogLevel.Debug, Message = "Dropped {Message}: node {Peer} is not a known peer")]
    public static partial void SendToUnknownPeer(ILogger logger, Messages.RaftMessage message, NodeId peer);

    /// <summary>The message handler threw.</summary>
    [LoggerMessage(EventId = 9030, Level = LogLevel.Error, Message = "The Raft message handler failed on a message from node {Peer}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, NodeId peer);
}
