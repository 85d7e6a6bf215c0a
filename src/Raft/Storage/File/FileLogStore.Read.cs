using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

public sealed partial class FileLogStore
{
    private const int ReadChunk = 4 << 20;

    private void ReadCore(long from, long toExclusive, ICollection<LogEntry> destination)
    {
        var index = from;
        while (index < toExclusive)
        {
            var segment = SegmentOf(index);
            var file = FileOf(segment);
            var start = segment.OffsetOf(index);

            // One read per chunk of consecutive records; the entries' payloads are slices of the chunk, so reading
            // allocates one array per chunk rather than one per entry.
            var last = index;
            var limit = Math.Min(toExclusive - 1, segment.LastIndex);
            while (last < limit && segment.EndOf(last + 1) - start <= ReadChunk)
            {
                last++;
            }

            var chunk = new byte[segment.EndOf(last) - start];
            ChecksummedFile.ReadExactly(file, start, chunk);
            var pos = 0;
            for (var i = index; i <= last; i++)
            {
                if (!LogRecord.TryReadHeader(chunk.AsSpan(pos), out var h) || h.Index != i || pos + h.RecordSize > chunk.Length
                    || !LogRecord.VerifyPayload(chunk.AsSpan(pos), h))
                {
                    throw new StorageCorruptedException(segment.Path, start + pos, i, "the record read back fails its CRC-32C (it changed on disk after it was written)");
                }

                destination.Add(new LogEntry(h.Index, h.Term, h.Kind, chunk.AsMemory(pos + LogRecord.HeaderSize, h.PayloadLength)));
                pos += h.RecordSize;
            }

            index = last + 1;
        }
    }

    private LogSegment SegmentOf(long index)
    {
        int lo = 0, hi = _segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_segments[mid].FirstIndex <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _segments[lo];
    }

    private IStorageFile FileOf(LogSegment segment)
    {
        if (segment.File is { } open)
        {
            return open;
        }

        if (_reader is { } r && ReferenceEquals(r.Segment, segment))
        {
            return r.File;
        }

        CloseReader();
        var file = _fs.OpenFile(segment.Path, StorageFileMode.OpenRead);
        _reader = (segment, file);
        return file;
    }
}
