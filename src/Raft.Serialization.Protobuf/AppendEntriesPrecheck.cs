using System.Buffers;

namespace HsmRaft.Serialization.Protobuf;

/// <summary>
/// A walk over the wire bytes of an AppendEntries payload, before protobuf-net materialises it. protobuf-net turns
/// every <c>entries</c> element into objects before <c>RaftMessageValidator</c> can look at them, and an empty element
/// is two bytes on the wire but over a hundred on the heap: one frame within MaxMessageSize of such elements made a
/// node allocate over 50 times the frame's size. Entries whose indexes are not 1 or more and contiguous are refused here,
/// allocation-free, which leaves hostile input no cheaper per entry than a batch the core would accept.
/// </summary>
internal static class AppendEntriesPrecheck
{
    private const int EntriesField = 7;
    private const int EntryIndexField = 1;

    /// <exception cref="InvalidDataException">The entries cannot be a valid batch, or the bytes are not protobuf.</exception>
    public static void Check(ReadOnlySequence<byte> source)
    {
        var reader = new SequenceReader<byte>(source);
        var previous = 0L;
        var count = 0L;
        while (!reader.End)
        {
            var (field, wireType) = ReadTag(ref reader);
            if (field != EntriesField || wireType != WireType.LengthDelimited)
            {
                Skip(ref reader, wireType);
                continue;
            }

            var length = ReadLength(ref reader);
            var index = EntryIndex(source.Slice(reader.Position, length));
            reader.Advance(length);
            if (index < 1 || (count > 0 && index != previous + 1))
            {
                throw new InvalidDataException(count == 0
                    ? $"AppendEntries entry 0 has index {index}; entry indexes start at 1."
                    : $"AppendEntries entries are not contiguous: expected index {previous + 1}, found {index}.");
            }

            previous = index;
            count++;
        }
    }

    private static long EntryIndex(ReadOnlySequence<byte> entry)
    {
        var reader = new SequenceReader<byte>(entry);
        var index = 0L;
        while (!reader.End)
        {
            var (field, wireType) = ReadTag(ref reader);
            if (field == EntryIndexField && wireType == WireType.Varint)
            {
                index = (long)ReadVarint(ref reader); // the last occurrence wins, as in protobuf
            }
            else
            {
                Skip(ref reader, wireType);
            }
        }

        return index;
    }

    private static (ulong Field, WireType WireType) ReadTag(ref SequenceReader<byte> reader)
    {
        var tag = ReadVarint(ref reader);
        return (tag >> 3, (WireType)(tag & 7));
    }

    private static void Skip(ref SequenceReader<byte> reader, WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint(ref reader);
                break;
            case WireType.Fixed64:
                reader.Advance(Available(ref reader, 8));
                break;
            case WireType.LengthDelimited:
                reader.Advance(ReadLength(ref reader));
                break;
            case WireType.Fixed32:
                reader.Advance(Available(ref reader, 4));
                break;
            default:
                // Groups are not part of the HsmRaft schema (nor of proto3), and skipping them would need recursion.
                throw new InvalidDataException($"Wire type {(int)wireType} is not used by the HsmRaft protobuf schema.");
        }
    }

    private static long ReadLength(ref SequenceReader<byte> reader) => Available(ref reader, ReadVarint(ref reader));

    /// <summary>Returns <paramref name="length"/> when that many bytes remain.</summary>
    private static long Available(ref SequenceReader<byte> reader, ulong length) =>
        length <= (ulong)reader.Remaining
            ? (long)length
            : throw new InvalidDataException($"A field claims {length} bytes but only {reader.Remaining} remain.");

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        var value = 0UL;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                throw new InvalidDataException("The payload ends inside a varint.");
            }

            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint is longer than 10 bytes.");
    }

    private enum WireType
    {
        Varint = 0,
        Fixed64 = 1,
        LengthDelimited = 2,
        Fixed32 = 5,
    }
}
