using System.Buffers;
using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>Turns Raft messages into bytes and back. User command payloads stay opaque bytes.</summary>
public interface IRaftMessageSerializer
{
    /// <summary>Writes <paramref name="message"/> to <paramref name="destination"/>.</summary>
    void Serialize(RaftMessage message, IBufferWriter<byte> destination);

    /// <summary>Reads one message of kind <paramref name="type"/>. The result must not refer to
    /// <paramref name="source"/> after the call returns: transports reuse their receive buffers, so copy payload bytes out.
    /// The input comes from the network and may be hostile: fail with an exception, never loop or allocate beyond the
    /// length of <paramref name="source"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid message of that kind.</exception>
    RaftMessage Deserialize(RaftMessageType type, ReadOnlySequence<byte> source);
}
