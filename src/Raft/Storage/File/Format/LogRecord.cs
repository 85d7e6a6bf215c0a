using System.Buffers.Binary;

namespace HsmRaft.Storage.Format;

/// <summary>Flags of a log record.</summary>
[Flags]
internal enum LogRecordFlags : byte
{
    None = 0,

    /// <summary>First record of a write unit: the bytes written between two syncs of one segment. Recovery uses it to tell a
    /// torn final write (no later unit exists) from damage to data that was already synced (a later unit exists).</summary>
    UnitStart = 1,
}

/// <summary>A decoded, header-checked record header.</summary>
internal readonly record struct LogRecordHeader(uint RecordCrc, int PayloadLength, LogEntryKind Kind, LogRecordFlags Flags, long Index, long Term)
{
    public int RecordSize => LogRecord.SizeOf(PayloadLength);
}

/// <summary>
/// One log entry on disk, 8-byte aligned (little-endian):
/// <code>
///  0 u32 record CRC-32C  over bytes [8, 32 + payload length)
///  4 u32 header CRC-32C  over bytes [8, 32)
///  8 u32 payload length
/// 12 u8  record type (1 = entry)    13 u8 entry kind    14 u8 flags    15 u8 reserved (0)
/// 16 i64 index
/// 24 i64 term
/// 32 payload, then zero padding to a multiple of 8
/// </code>
/// The separate header CRC means a damaged length field is recognised as damage instead of being trusted
/// (a trusted bad length would make the rest of the segment look like a torn tail).
/// </summary>
internal static class LogRecord
{
    public const int HeaderSize = 32;
    public const byte EntryType = 1;

    /// <summary>Largest payload a record may carry (1 GiB).</summary>
    public const int MaxPayload = 1 << 30;

    public static int SizeOf(int payloadLength) => HeaderSize + ((payloadLength + 7) & ~7);

    /// <summary>Encodes <paramref name="entry"/> into <paramref name="destination"/> (at least <see cref="SizeOf"/> bytes).</summary>
    public static void Write(Span<byte> destination, in LogEntry entry, LogRecordFlags flags)
    {
        var payload = entry.Data.Span;
        WriteHeader(destination, entry, flags);
        payload.CopyTo(destination[HeaderSize..]);
        destination[(HeaderSize + payload.Length)..SizeOf(payload.Length)].Clear();
    }

    /// <summary>Encodes the <see cref="HeaderSize"/>-byte header of <paramref name="entry"/>'s record, with both CRCs (the
    /// record CRC reads the payload where it is), for a writer that sends the payload to the file from the caller's memory.</summary>
    public static void WriteHeader(Span<byte> destination, in LogEntry entry, LogRecordFlags flags)
    {
        var payload = entry.Data.Span;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], (uint)payload.Length);
        destination[12] = EntryType;
        destination[13] = (byte)entry.Kind;
        destination[14] = (byte)flags;
        destination[15] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], entry.Term);

        var headerCrc = Crc32C.Update(Crc32C.Seed, destination[8..HeaderSize]);
        var recordCrc = Crc32C.Update(headerCrc, payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32C.Finish(recordCrc));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Finish(headerCrc));
    }

    /// <summary>Checks the header at the start of <paramref name="source"/> (at least <see cref="HeaderSize"/> bytes): its
    /// CRC and that every field is in range. Says nothing about the payload.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out LogRecordHeader header)
    {
        header = default;
        var headerCrc = Crc32C.Update(Crc32C.Seed, source[8..HeaderSize]);
        if (Crc32C.Finish(headerCrc) != BinaryPrimitives.ReadUInt32LittleEndian(source[4..]))
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        var kind = (LogEntryKind)source[13];
        var flags = (LogRecordFlags)source[14];
        if (length > MaxPayload || source[12] != EntryType || !Enum.IsDefined(kind) || (flags & ~LogRecordFlags.UnitStart) != 0 || source[15] != 0)
        {
            return false;
        }

        header = new LogRecordHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            (int)length,
            kind,
            flags,
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]));
        return true;
    }

    /// <summary>True when the payload matches the record CRC and the padding is zero, so that no byte of a record can change
    /// unnoticed; <paramref name="record"/> starts at the header and holds the whole padded record.</summary>
    public static bool VerifyPayload(ReadOnlySpan<byte> record, in LogRecordHeader header) =>
        Crc32C.Finish(Crc32C.Update(Crc32C.Seed, record[8..(HeaderSize + header.PayloadLength)])) == header.RecordCrc
        && record[(HeaderSize + header.PayloadLength)..header.RecordSize].IndexOfAnyExcept((byte)0) < 0;
}
