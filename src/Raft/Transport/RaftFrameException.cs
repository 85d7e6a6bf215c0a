namespace HsmRaft.Transport;

/// <summary>Why an inbound frame was rejected. The connection it arrived on is closed.</summary>
public enum RaftFrameError
{
    /// <summary>The bytes do not start with the frame magic: not an HsmRaft peer, or the stream lost sync.</summary>
    BadMagic,

    /// <summary>The peer speaks a wire version this node does not.</summary>
    UnsupportedWireVersion,

    /// <summary>The message type is not one this node knows.</summary>
    UnknownMessageType,

    /// <summary>Reserved header bits are set.</summary>
    ReservedFlagsSet,

    /// <summary>The payload length exceeds the configured maximum for its type.</summary>
    MessageTooLarge,

    /// <summary>The frame belongs to another cluster.</summary>
    WrongCluster,

    /// <summary>The sender is not a member this node knows.</summary>
    UnknownSender,

    /// <summary>A connection carried frames from more than one sender.</summary>
    SenderChanged,

    /// <summary>The frame is addressed to another node.</summary>
    WrongReceiver,

    /// <summary>The payload could not be deserialized, or contradicts its header.</summary>
    MalformedPayload,

    /// <summary>The connection or batch ended in the middle of a frame.</summary>
    Truncated,
}

/// <summary>An inbound frame failed validation. The message names the problem and, where useful, how to fix it.</summary>
public sealed class RaftFrameException : IOException
{
    /// <summary>Creates the exception.</summary>
    public RaftFrameException(RaftFrameError error, string message, Exception? inner = null) : base(message, inner)
    {
        Error = error;
    }

    /// <summary>What was wrong.</summary>
    public RaftFrameError Error { get; }
}
