using System.Buffers.Binary;
using System.Text;
using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>
/// The envelope in front of every serialized Raft message on a byte stream. All integers are little-endian.
/// <code>
/// offset size field
///  0      4   magic "HRFT" (0x48 0x52 0x46 0x54)
///  4      1   wire version (<see cref="CurrentWireVersion"/>)
///  5      1   message type (<see cref="RaftMessageType"/>)
///  6      2   flags, reserved: must be 0
///  8      4   payload length in bytes
/// 12      8   sender node id
/// 20      8   receiver node id
/// 28      1   cluster id length L (1..64)
/// 29      L   cluster id (ASCII)
/// 29+L    n   payload: the message, as written by the <see cref="IRaftMessageSerializer"/>
/// </code>
/// Everything a receiver checks before it allocates the payload — protocol, version, type, size, cluster, sender and
/// receiver — is in the first 29+L bytes. See docs/transports.md.
/// </summary>
public readonly record struct RaftFrameHeader(byte WireVersion, RaftMessageType Type, int PayloadLength, NodeId Sender, NodeId Receiver)
{
    /// <summary>The wire version this build writes and the only one it reads. Bump it on any incompatible change to the
    /// header or to a serializer's payload format.</summary>
    public const byte CurrentWireVersion = 1;

    /// <summary>Length of the fixed part of the header, before the cluster id.</summary>
    public const int FixedLength = 29;

    /// <summary>Room an <see cref="InstallSnapshot"/> frame gets beyond its chunk for the snapshot metadata and fields (64 KiB).</summary>
    public const int SnapshotMetadataAllowance = 64 * 1024;

    /// <summary>The magic number, read as a little-endian 32-bit integer ("HRFT").</summary>
    public const uint Magic = 0x54465248;

    /// <summary>The highest defined message type; frames with a higher type are rejected.</summary>
    public const RaftMessageType MaxKnownType = RaftMessageType.TimeoutNow;

    /// <summary>Total header length for a cluster id of <paramref name="clusterIdLength"/> bytes.</summary>
    public static int LengthFor(int clusterIdLength) => FixedLength + clusterIdLength;

    /// <summary>Writes the header into <paramref name="destination"/> (which must hold <see cref="LengthFor"/> bytes).</summary>
    public void Write(Span<byte> destination, ReadOnlySpan<byte> clusterId)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = WireVersion;
        destination[5] = (byte)Type;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], Sender.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[20..], Receiver.Value);
        destination[28] = (byte)clusterId.Length;
        clusterId.CopyTo(destination[FixedLength..]);
    }

    /// <summary>Patches the payload length of a header already written at the start of <paramref name="header"/>.</summary>
    public static void PatchPayloadLength(Span<byte> header, int payloadLength) =>
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], payloadLength);

    /// <summary>Encodes a cluster id for the header.</summary>
    public static byte[] EncodeClusterId(string clusterId) => Encoding.ASCII.GetBytes(clusterId);
}
