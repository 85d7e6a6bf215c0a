using System.Buffers.Binary;

namespace HsmRaft.Storage.Format;

/// <summary>
/// A snapshot file <c>{last index:D20}-{last term:D20}.snap</c> (little-endian):
/// <code>
/// header : magic u64 "HRAFTSNP" | version u32 | header length u32 (H) | last index i64 | last term i64 |
///          configuration length u32 | configuration | CRC-32C u32 of the header's first H - 4 bytes
/// data   : the state machine's bytes
/// trailer: data length u64 | data CRC-32C u32 | reserved u32 (0) | magic u64 "HRAFTEND"
/// </code>
/// </summary>
internal static class SnapshotFileFormat
{
    public const int TrailerSize = 24;
    private const int FixedHeader = 36;
    private const int MaxHeader = 64 << 20;

    public static string FileName(long index, long term) => NumberedFileName.Snapshot.Format(index, term);

    public static bool TryParseName(string name, out long index, out long term) => NumberedFileName.Snapshot.TryParse(name, out index, out term);

    public static byte[] EncodeHeader(SnapshotMetadata metadata)
    {
        var config = metadata.Configuration.Encode();
        var header = new byte[FixedHeader + config.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(header, FileMagic.Snapshot);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), FileMagic.CurrentVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), header.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), metadata.LastIncludedIndex);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), metadata.LastIncludedTerm);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(32), config.Length);
        config.CopyTo(header.AsSpan(FixedHeader));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(header.Length - 4), Crc32C.Compute(header.AsSpan(0, header.Length - 4)));
        return header;
    }

    public static byte[] EncodeTrailer(long dataLength, uint dataCrc)
    {
        var trailer = new byte[TrailerSize];
        BinaryPrimitives.WriteInt64LittleEndian(trailer, dataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(8), dataCrc);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(16), FileMagic.SnapshotEnd);
        return trailer;
    }

    /// <summary>Validates a whole snapshot file, streaming its data through the CRC.</summary>
    /// <returns>The metadata, the data's offset and its CRC.</returns>
    public static (SnapshotMetadata Metadata, long DataOffset, uint DataCrc) Verify(IStorageFile file, long expectedIndex, long expectedTerm)
    {
        var path = file.Path;
        var length = file.Length;
        Span<byte> fixedPart = stackalloc byte[FixedHeader];
        if (length < FixedHeader + 4 + TrailerSize)
        {
            throw new StorageCorruptedException(path, 0, null, $"the snapshot file is {length} bytes long, too short for its header and trailer");
        }

        ChecksummedFile.ReadExactly(file, 0, fixedPart);
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[12..]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(fixedPart) != FileMagic.Snapshot)
        {
            throw new StorageCorruptedException(path, 0, null, "the snapshot file does not start with the snapshot magic number");
        }

        if (headerLength < FixedHeader + 4 || headerLength > MaxHeader || headerLength > length - TrailerSize)
        {
            throw new StorageCorruptedException(path, 12, null, $"the snapshot header claims an impossible length of {headerLength} bytes");
        }

        var header = new byte[headerLength];
        ChecksummedFile.ReadExactly(file, 0, header);
        if (Crc32C.Compute(header.AsSpan(0, headerLength - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(headerLength - 4)))
        {
            throw new StorageCorruptedException(path, headerLength - 4, null, "the snapshot header's CRC-32C does not match");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (version != FileMagic.CurrentVersion)
        {
            throw new UnsupportedStorageFormatException(path, version, FileMagic.CurrentVersion);
        }

        var index = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        var term = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        var configLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(32));
        if (index != expectedIndex || term != expectedTerm || configLength != headerLength - FixedHeader - 4)
        {
            throw new StorageCorruptedException(path, 16, null,
                $"the snapshot header says index {index}, term {term}, but the file name says index {expectedIndex}, term {expectedTerm} (or its configuration length is wrong)");
        }

        ClusterConfiguration config;
        try
        {
            config = ClusterConfiguration.Decode(header.AsSpan(FixedHeader, configLength));
        }
        catch (InvalidDataException e)
        {
            throw new StorageCorruptedException(path, FixedHeader, null, "the snapshot's configuration cannot be decoded: " + e.Message);
        }

        var trailer = new byte[TrailerSize];
        ChecksummedFile.ReadExactly(file, length - TrailerSize, trailer);
        var dataLength = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer.AsSpan(16)) != FileMagic.SnapshotEnd || dataLength != length - TrailerSize - headerLength
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(12)) != 0)
        {
            throw new StorageCorruptedException(path, length - TrailerSize, null, "the snapshot's trailer is damaged or its data length does not match the file size");
        }

        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(8));
        var crc = Crc32C.Seed;
        var buffer = new byte[Math.Min(dataLength, 1 << 20)];
        for (long done = 0; done < dataLength;)
        {
            var n = (int)Math.Min(buffer.Length, dataLength - done);
            ChecksummedFile.ReadExactly(file, headerLength + done, buffer.AsSpan(0, n));
            crc = Crc32C.Update(crc, buffer.AsSpan(0, n));
            done += n;
        }

        if (Crc32C.Finish(crc) != expectedCrc)
        {
            throw new StorageCorruptedException(path, headerLength, null, $"the snapshot's {dataLength} data bytes fail their CRC-32C");
        }

        return (new SnapshotMetadata(index, term, config, dataLength), headerLength, expectedCrc);
    }
}
