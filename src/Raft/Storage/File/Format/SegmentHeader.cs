using System.Buffers.Binary;

namespace HsmRaft.Storage.Format;

/// <summary>
/// The 64-byte header at the start of every segment file (little-endian):
/// <code>
///  0 u64 magic "HRAFTLOG"   8 u32 format version   12 u32 header size (64)
/// 16 i64 segment sequence number (also in the file name)
/// 24 i64 index of the first record the segment holds (also in the file name)
/// 32..59 reserved (0)      60 u32 CRC-32C of bytes [0, 60)
/// </code>
/// </summary>
internal static class SegmentHeader
{
    public const int Size = 64;

    public static void Write(Span<byte> destination, long sequence, long firstIndex)
    {
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, FileMagic.Segment);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], FileMagic.CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], firstIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    /// <summary>Validates a header against the values in the file name.</summary>
    /// <exception cref="StorageCorruptedException">The header is damaged or disagrees with the file name.</exception>
    /// <exception cref="UnsupportedStorageFormatException">The segment was written by a newer format.</exception>
    public static void Validate(string path, ReadOnlySpan<byte> header, long sequence, long firstIndex)
    {
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != FileMagic.Segment)
        {
            throw new StorageCorruptedException(path, 0, firstIndex, "the segment does not start with the log segment magic number");
        }

        if (Crc32C.Compute(header[..60]) != BinaryPrimitives.ReadUInt32LittleEndian(header[60..]))
        {
            throw new StorageCorruptedException(path, 0, firstIndex, "the segment header's CRC-32C does not match");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != FileMagic.CurrentVersion)
        {
            throw new UnsupportedStorageFormatException(path, version, FileMagic.CurrentVersion);
        }

        var storedSequence = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var storedFirst = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Size || storedSequence != sequence || storedFirst != firstIndex)
        {
            throw new StorageCorruptedException(path, 16, firstIndex,
                $"the segment header says sequence {storedSequence} and first index {storedFirst}, but the file name says {sequence} and {firstIndex} (a renamed or mismatched segment)");
        }
    }
}
