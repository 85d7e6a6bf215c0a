using System.Buffers.Binary;
using System.Text;
using HsmRaft.Messages;

namespace HsmRaft.Transport.Conformance;

/// <summary>Builds frames byte by byte, with any header field overridden, to feed endpoints invalid input.</summary>
public static class FrameCrafter
{
    /// <summary>Serializes <paramref name="message"/> with <paramref name="serializer"/>.</summary>
    public static byte[] Payload(IRaftMessageSerializer serializer, RaftMessage message)
    {
        using var buffer = new FrameBuffer();
        serializer.Serialize(message, buffer);
        return buffer.WrittenMemory.ToArray();
    }

    /// <summary>A frame whose header fields default to those of <paramref name="message"/> and can each be overridden.</summary>
    public static byte[] Frame(
        string clusterId,
        RaftMessage message,
        byte[] payload,
        byte version = RaftFrameHeader.CurrentWireVersion,
        byte? type = null,
        int? payloadLength = null,
        NodeId? sender = null,
        NodeId? receiver = null,
        ushort flags = 0)
    {
        var cluster = Encoding.ASCII.GetBytes(clusterId);
        var frame = new byte[RaftFrameHeader.LengthFor(cluster.Length) + payload.Length];
        var span = frame.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, RaftFrameHeader.Magic);
        span[4] = version;
        span[5] = type ?? (byte)message.Type;
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], payloadLength ?? payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[12..], (sender ?? message.From).Value);
        BinaryPrimitives.WriteUInt64LittleEndian(span[20..], (receiver ?? message.To).Value);
        span[28] = (byte)cluster.Length;
        cluster.CopyTo(span[RaftFrameHeader.FixedLength..]);
        payload.CopyTo(span[RaftFrameHeader.LengthFor(cluster.Length)..]);
        return frame;
    }

    /// <summary>A valid frame for <paramref name="message"/>.</summary>
    public static byte[] Valid(string clusterId, IRaftMessageSerializer serializer, RaftMessage message) =>
        Frame(clusterId, message, Payload(serializer, message));
}

/// <summary>
/// Random and mutated frames for fuzz tests: garbage, bit flips, truncations, corrupted lengths and header fields,
/// random payloads behind valid headers, and (untouched) valid frames. Deterministic for a given seed.
/// </summary>
public sealed class FrameFuzzer(Random random, IReadOnlyList<byte[]> validFrames)
{
    /// <summary>The next input.</summary>
    public byte[] Next()
    {
        var valid = validFrames[random.Next(validFrames.Count)];
        var frame = (byte[])valid.Clone();
        switch (random.Next(8))
        {
            case 0:
                return RandomBytes(random.Next(1, 300));
            case 1:
                for (var flips = random.Next(1, 5); flips > 0; flips--)
                {
                    frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                }

                return frame;
            case 2:
                return frame[..random.Next(1, frame.Length)];
            case 3:
                BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(8), random.Next(2) == 0 ? random.Next() : random.Next(0, frame.Length));
                return frame;
            case 4:
                frame[random.Next(4, RaftFrameHeader.FixedLength)] = (byte)random.Next(256);
                return frame;
            case 5:
                var header = frame.AsSpan(0, frame.Length - PayloadLength(valid)).ToArray();
                var payload = RandomBytes(random.Next(0, 200));
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), payload.Length);
                return [.. header, .. payload];
            case 6:
                return [.. frame, .. RandomBytes(random.Next(1, 40))];
            default:
                return frame;
        }
    }

    private static int PayloadLength(byte[] frame) => BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(8));

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
