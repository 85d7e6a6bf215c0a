using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>
/// Reads and validates the frames of one inbound connection. Each header field is checked as soon as its bytes have
/// arrived — garbage is refused after four bytes and an oversized length before any payload is buffered — and a
/// payload is deserialized only once the header has passed every check. Any violation throws
/// <see cref="RaftFrameException"/>; the caller closes the connection. A connection is bound to the first sender it
/// carries. Not thread-safe: one per connection.
/// </summary>
public sealed class RaftFrameReader
{
    private readonly RaftTransportOptions _options;
    private readonly IRaftMessageSerializer? _serializer;
    private readonly Func<NodeId, bool> _isKnownPeer;
    private readonly byte[] _clusterId;

    /// <summary>Creates a reader for one connection.</summary>
    /// <param name="options">The local node's id, cluster id and size limits.</param>
    /// <param name="serializer">Deserializes payloads; may be null when only <see cref="ValidateEnvelope"/> and
    /// <see cref="ValidateMessage"/> are used (transports that pass message objects).</param>
    /// <param name="isKnownPeer">True for the node ids this node accepts messages from (its current peers).</param>
    public RaftFrameReader(RaftTransportOptions options, IRaftMessageSerializer? serializer, Func<NodeId, bool> isKnownPeer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(isKnownPeer);
        _options = options;
        _serializer = serializer;
        _isKnownPeer = isKnownPeer;
        _clusterId = RaftFrameHeader.EncodeClusterId(options.ClusterId);
    }

    /// <summary>The node this connection carries frames from, once its first header has been read.</summary>
    public NodeId Sender { get; private set; }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> and slices it off. Returns false when the buffer
    /// holds only part of a frame (after validating what it can), leaving the buffer unchanged.
    /// </summary>
    /// <exception cref="RaftFrameException">The frame is invalid.</exception>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RaftMessage? message)
    {
        message = null;
        Span<byte> head = stackalloc byte[RaftFrameHeader.LengthFor(RaftTransportOptions.MaxClusterIdLength)];
        var available = (int)Math.Min(buffer.Length, head.Length);
        if (available == 0)
        {
            return false;
        }

        buffer.Slice(0, available).CopyTo(head);
        head = head[..available];
        if (!TryValidateHeader(head, out var header, out var headerLength))
        {
            return false;
        }

        var frameLength = (long)headerLength + header.PayloadLength;
        if (buffer.Length < frameLength)
        {
            return false;
        }

        if (_serializer is null)
        {
            throw new InvalidOperationException("This RaftFrameReader has no serializer, so it cannot read payloads.");
        }

        var payload = buffer.Slice(headerLength, header.PayloadLength);
        try
        {
            message = _serializer.Deserialize(header.Type, payload);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(RaftFrameError.MalformedPayload, $"the {header.Type} payload from node {header.Sender} cannot be deserialized: {e.Message}", e);
        }

        ValidateMessage(header, message);
        buffer = buffer.Slice(frameLength);
        return true;
    }

    /// <summary>Call when the connection (or a transport message that must hold whole frames) ends with
    /// <paramref name="remaining"/> bytes unread.</summary>
    /// <exception cref="RaftFrameException">A frame was cut short.</exception>
    public static void EnsureNothingLeft(ReadOnlySequence<byte> remaining)
    {
        if (!remaining.IsEmpty)
        {
            throw Fail(RaftFrameError.Truncated, $"the stream ended {remaining.Length} byte(s) into an incomplete frame");
        }
    }

    /// <summary>Checks the envelope of a frame: cluster, sender (known, and the same as earlier frames) and receiver.</summary>
    /// <exception cref="RaftFrameException">The envelope is invalid.</exception>
    public void ValidateEnvelope(ReadOnlySpan<byte> clusterId, NodeId sender, NodeId receiver)
    {
        if (!clusterId.SequenceEqual(_clusterId))
        {
            throw Fail(RaftFrameError.WrongCluster,
                $"the frame belongs to cluster '{Printable(clusterId)}' but this node is in cluster '{_options.ClusterId}'; check RaftTransportOptions.ClusterId and the peer addresses");
        }

        if (!Sender.IsNone && sender != Sender)
        {
            throw Fail(RaftFrameError.SenderChanged, $"the connection carried frames from node {Sender} and then from node {sender}");
        }

        if (!_isKnownPeer(sender))
        {
            throw Fail(RaftFrameError.UnknownSender, $"node {sender} is not a member this node knows (known peers come from the cluster configuration)");
        }

        if (receiver != _options.LocalNodeId)
        {
            throw Fail(RaftFrameError.WrongReceiver, $"the frame is addressed to node {receiver} but this is node {_options.LocalNodeId}; the peer's address list is stale or wrong");
        }

        Sender = sender;
    }

    /// <summary>Checks a deserialized message against its header and Raft's basic invariants, so a hostile or broken
    /// peer cannot feed the core impossible values.</summary>
    /// <exception cref="RaftFrameException">The message is invalid.</exception>
    public void ValidateMessage(RaftFrameHeader header, RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var problem = RaftMessageValidator.Check(message, _options.MaxChunkSize);
        if (message.Type != header.Type)
        {
            problem = $"the header says {header.Type} but the payload is {message.Type}";
        }
        else if (message.From != header.Sender || message.To != header.Receiver)
        {
            problem = $"the payload says {message.From}->{message.To} but the header says {header.Sender}->{header.Receiver}";
        }

        if (problem is not null)
        {
            throw Fail(RaftFrameError.MalformedPayload, $"invalid {header.Type} from node {header.Sender}: {problem}");
        }
    }

    private bool TryValidateHeader(ReadOnlySpan<byte> head, out RaftFrameHeader header, out int headerLength)
    {
        header = default;
        headerLength = 0;
        if (head.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) != RaftFrameHeader.Magic)
        {
            throw Fail(RaftFrameError.BadMagic,
                $"the stream does not start with the HsmRaft frame magic (got {Convert.ToHexString(head[..4])}); the peer is not an HsmRaft node, or speaks another protocol (for example TLS or HTTP) on this port");
        }

        if (head.Length >= 5 && head[4] != RaftFrameHeader.CurrentWireVersion)
        {
            throw Fail(RaftFrameError.UnsupportedWireVersion,
                $"the peer speaks wire version {head[4]} but this node speaks version {RaftFrameHeader.CurrentWireVersion}; run the same HsmRaft wire version on every node (see docs/transports.md, wire version policy)");
        }

        if (head.Length < RaftFrameHeader.FixedLength)
        {
            return false;
        }

        var type = (RaftMessageType)head[5];
        if (type is 0 or > RaftFrameHeader.MaxKnownType)
        {
            throw Fail(RaftFrameError.UnknownMessageType, $"message type {head[5]} is unknown to this node");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(head[6..]) != 0)
        {
            throw Fail(RaftFrameError.ReservedFlagsSet, "reserved header flags are set");
        }

        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        var limit = _options.MaxPayloadSize(type);
        if (payloadLength < 0 || payloadLength > limit)
        {
            throw Fail(RaftFrameError.MessageTooLarge,
                $"a {type} frame claims {(uint)payloadLength} payload bytes, over this node's {limit}-byte limit; use the same RaftTransportOptions.MaxMessageSize/MaxChunkSize on every node");
        }

        var clusterIdLength = head[28];
        if (clusterIdLength is 0 or > RaftTransportOptions.MaxClusterIdLength)
        {
            throw Fail(RaftFrameError.WrongCluster, $"the cluster id length {clusterIdLength} is outside 1..{RaftTransportOptions.MaxClusterIdLength}");
        }

        headerLength = RaftFrameHeader.LengthFor(clusterIdLength);
        if (head.Length < headerLength)
        {
            return false;
        }

        header = new RaftFrameHeader(head[4], type, payloadLength,
            BinaryPrimitives.ReadUInt64LittleEndian(head[12..]), BinaryPrimitives.ReadUInt64LittleEndian(head[20..]));
        ValidateEnvelope(head.Slice(RaftFrameHeader.FixedLength, clusterIdLength), header.Sender, header.Receiver);
        return true;
    }

    private static string Printable(ReadOnlySpan<byte> text)
    {
        var chars = new char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            chars[i] = text[i] is >= 0x20 and < 0x7f ? (char)text[i] : '?';
        }

        return new string(chars);
    }

    private static RaftFrameException Fail(RaftFrameError error, string message, Exception? inner = null) =>
        new(error, $"Rejected frame ({error}): {message}.", inner);
}
