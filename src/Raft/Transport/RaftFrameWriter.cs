using System.Diagnostics.CodeAnalysis;
using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>Writes Raft messages as frames (<see cref="RaftFrameHeader"/> + serialized payload). One per writer loop.</summary>
public sealed class RaftFrameWriter
{
    private readonly RaftTransportOptions _options;
    private readonly IRaftMessageSerializer _serializer;
    private readonly byte[] _clusterId;
    private readonly int _headerLength;

    /// <summary>Creates a writer for the node and cluster in <paramref name="options"/>.</summary>
    public RaftFrameWriter(RaftTransportOptions options, IRaftMessageSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        _options = options;
        _serializer = serializer;
        _clusterId = RaftFrameHeader.EncodeClusterId(options.ClusterId);
        _headerLength = RaftFrameHeader.LengthFor(_clusterId.Length);
    }

    /// <summary>
    /// Appends one frame for <paramref name="message"/> to <paramref name="buffer"/>. When the message breaks a limit
    /// the receiver would enforce (so sending it would only get the connection closed), the buffer is left unchanged
    /// and <paramref name="problem"/> says why.
    /// </summary>
    public bool TryWrite(RaftMessage message, FrameBuffer buffer, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(message);
        problem = CheckSendable(message, _options);
        if (problem is not null)
        {
            return false;
        }

        var start = buffer.Length;
        buffer.GetSpan(_headerLength);
        buffer.Advance(_headerLength);
        _serializer.Serialize(message, buffer);
        var payloadLength = buffer.Length - start - _headerLength;
        var limit = _options.MaxPayloadSize(message.Type);
        if (payloadLength > limit)
        {
            buffer.Truncate(start);
            problem = $"{message} serializes to {payloadLength} bytes, over the {limit}-byte limit for {message.Type}; " +
                      "raise RaftTransportOptions.MaxMessageSize on every node or make the core send smaller batches.";
            return false;
        }

        new RaftFrameHeader(RaftFrameHeader.CurrentWireVersion, message.Type, payloadLength, _options.LocalNodeId, message.To)
            .Write(buffer.WrittenSpan(start, _headerLength), _clusterId);
        problem = null;
        return true;
    }

    /// <summary>Returns why the receiver would refuse <paramref name="message"/> whatever its encoding (not sent by
    /// this node, or a snapshot chunk over the limit), or null when it may be sent.</summary>
    public static string? CheckSendable(RaftMessage message, RaftTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        if (message.From != options.LocalNodeId)
        {
            return $"{message} was not sent by this node ({options.LocalNodeId}); RaftMessage.From must be the local node id.";
        }

        return message is InstallSnapshot { Data.Length: var chunk } && chunk > options.MaxChunkSize
            ? $"{message} carries a {chunk}-byte chunk, over RaftTransportOptions.MaxChunkSize ({options.MaxChunkSize}); " +
              "make the snapshot chunk size no larger than MaxChunkSize, and use the same limits on every node."
            : null;
    }
}
