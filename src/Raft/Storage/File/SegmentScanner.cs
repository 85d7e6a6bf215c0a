using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

/// <summary>What scanning one segment found.</summary>
/// <param name="Offsets">Byte offset of each valid record, in index order from the segment's first index.</param>
/// <param name="DataEnd">Offset just past the last valid record.</param>
/// <param name="TornAt">Where a torn final write starts (to be truncated), or -1.</param>
internal sealed record SegmentScan(List<long> Offsets, long DataEnd, long TornAt);

/// <summary>
/// Validates the records of one segment read into memory and classifies damage. The store syncs a segment before any
/// later write unit (the bytes between two syncs) begins, so after a crash only the final unit of the last segment can be
/// incomplete; and since the store never reuses file space without first truncating it durably, bytes a crash lost
/// read back as zeros or lie beyond the end of the file. A bad record is therefore a torn write, and is cut off, only when
/// <list type="number">
/// <item>it is in the last segment,</item>
/// <item>it shows the marks of an unfinished write: the file ends inside it, or one of the disk sectors (512 bytes) it
/// covers reads back as all zeros, and</item>
/// <item>no later write unit follows it (a later unit proves this one had been synced).</item>
/// </list>
/// Everything else is damage to synced data and is reported as <see cref="StorageCorruptedException"/>.
/// </summary>
internal static class SegmentScanner
{
    /// <summary>Sector size assumed for torn writes: disks persist whole sectors, and 512 bytes is the smallest in use.</summary>
    public const int SectorSize = 512;

    public static SegmentScan Scan(string path, ReadOnlySpan<byte> file, long firstIndex, bool isLast)
    {
        var offsets = new List<long>();
        var pos = SegmentHeader.Size;
        var expected = firstIndex;
        while (pos < file.Length)
        {
            string? problem = null;
            var tornMark = false;
            if (file.Length - pos < LogRecord.HeaderSize)
            {
                problem = "the file ends inside a record header";
                tornMark = true;
            }
            else if (file.Slice(pos, LogRecord.HeaderSize).IndexOfAnyExcept((byte)0) < 0)
            {
                if (file[pos..].IndexOfAnyExcept((byte)0) < 0)
                {
                    break; // Reserved space that was never written: the clean end of the data.
                }

                problem = "a record header is all zeros but data follows it";
                tornMark = true;
            }
            else if (!LogRecord.TryReadHeader(file[pos..], out var header))
            {
                problem = "a record header fails its CRC-32C or holds invalid values";
                tornMark = HasZeroSector(file, pos, file.Length);
            }
            else if (header.Index != expected)
            {
                problem = $"the record holds index {header.Index} where index {expected} was expected";
            }
            else if (pos + header.RecordSize > file.Length)
            {
                problem = $"the record's {header.PayloadLength}-byte payload extends past the end of the file";
                tornMark = true;
            }
            else if (!LogRecord.VerifyPayload(file[pos..], header))
            {
                problem = "the record's payload fails its CRC-32C";
                tornMark = HasZeroSector(file, pos, pos + header.RecordSize);
            }
            else
            {
                offsets.Add(pos);
                pos += header.RecordSize;
                expected++;
                continue;
            }

            if (!isLast)
            {
                throw Corrupt(path, pos, expected, problem + "; this segment is not the last one, so it had been completely synced");
            }

            if (!tornMark)
            {
                throw Corrupt(path, pos, expected, problem + "; the damage does not look like an interrupted write (no missing sectors), so synced data changed on disk");
            }

            if (FindLaterUnit(file, pos, expected) is { } later)
            {
                throw Corrupt(path, pos, expected, problem + $"; a later write unit at offset {later} proves this data had been synced");
            }

            return new SegmentScan(offsets, pos, pos);
        }

        return new SegmentScan(offsets, pos, -1);
    }

    /// <summary>True when any 512-byte disk sector overlapping [<paramref name="start"/>, <paramref name="end"/>) reads as zeros
    /// within that range. Records are 8-byte aligned, so each such portion is at least 8 bytes long.</summary>
    internal static bool HasZeroSector(ReadOnlySpan<byte> file, long start, long end)
    {
        end = Math.Min(end, file.Length);
        for (var s = start - (start % SectorSize); s < end; s += SectorSize)
        {
            var from = (int)Math.Max(s, start);
            var to = (int)Math.Min(s + SectorSize, end);
            if (to > from && file[from..to].IndexOfAnyExcept((byte)0) < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The offset of a complete, valid record that starts a later write unit after <paramref name="badOffset"/>, or null.
    /// Runs only on damage, so a byte-by-byte (8-byte aligned) search is fine.</summary>
    private static long? FindLaterUnit(ReadOnlySpan<byte> file, int badOffset, long expectedIndex)
    {
        for (var off = badOffset + 8; off + LogRecord.HeaderSize <= file.Length; off += 8)
        {
            // Cheap filter before the header CRC: record type and reserved byte.
            if (file[off + 12] != LogRecord.EntryType || file[off + 15] != 0)
            {
                continue;
            }

            if (LogRecord.TryReadHeader(file[off..], out var h)
                && (h.Flags & LogRecordFlags.UnitStart) != 0
                && h.Index >= expectedIndex
                && off + h.RecordSize <= file.Length
                && LogRecord.VerifyPayload(file[off..], h))
            {
                return off;
            }
        }

        return null;
    }

    public static StorageCorruptedException Corrupt(string path, long offset, long? index, string problem) => new(path, offset, index, problem);
}
