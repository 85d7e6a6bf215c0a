using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

public sealed partial class FileLogStore
{
    private void AppendCore(IReadOnlyList<LogEntry> entries)
    {
        var first = entries[0].Index;
        if (first <= _lastIndex)
        {
            TruncateSuffix(first);
        }

        var segment = _segments.Count == 0 ? CreateSegment(first) : Writable(_segments[^1]);
        if (segment.Count > 0 && segment.EndOffset + BatchBytes(entries) > _segmentSize)
        {
            // Start a batch that does not fit in a new segment rather than splitting it: one sync per batch, and a batch
            // larger than a whole segment leaves one full segment and a short tail instead of two partial ones.
            SealSegment(segment);
            segment = CreateSegment(first);
        }

        var buffered = 0;
        var flags = LogRecordFlags.UnitStart;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var size = LogRecord.SizeOf(entry.Data.Length);
            if (segment.Count > 0 && segment.EndOffset + size > _segmentSize)
            {
                // Roll over. The full segment is synced (and its name, if new) before the next one gets a byte, so after a
                // crash only the last segment can hold an unfinished write: damage anywhere else is corruption.
                Flush(segment, ref buffered);
                SealSegment(segment);
                segment = CreateSegment(entry.Index);
                flags = LogRecordFlags.UnitStart;
            }

            if (buffered + size > _buffer.Length)
            {
                if (buffered > 0)
                {
                    // A large batch: let the disk start on this chunk while the next one is encoded.
                    var start = segment.EndOffset - buffered;
                    Flush(segment, ref buffered);
                    segment.File!.StartWriteback(start, segment.EndOffset - start);
                }

                if (size > _buffer.Length)
                {
                    _buffer = new byte[Math.Max(WriteChunk, size)];
                }
            }

            LogRecord.Write(_buffer.AsSpan(buffered, size), entry, flags);
            flags = LogRecordFlags.None;
            segment.Add(segment.EndOffset);
            segment.EndOffset += size;
            buffered += size;
        }

        Flush(segment, ref buffered);
        SyncSegment(segment);
        SyncDirectoryIfNeeded();
        _lastIndex = entries[^1].Index;
        if (_buffer.Length > WriteChunk)
        {
            _buffer = []; // An oversized entry grew the buffer: do not keep it for small ones.
        }
    }

    private LogSegment Writable(LogSegment segment)
    {
        segment.File ??= _fs.OpenFile(segment.Path, StorageFileMode.OpenExisting);
        return segment;
    }

    private static long BatchBytes(IReadOnlyList<LogEntry> entries)
    {
        long total = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            total += LogRecord.SizeOf(entries[i].Data.Length);
        }

        return total;
    }

    private void Flush(LogSegment segment, ref int buffered)
    {
        if (buffered > 0)
        {
            segment.File!.Write(segment.EndOffset - buffered, _buffer.AsSpan(0, buffered));
            segment.Unsynced = true;
            buffered = 0;
        }
    }

    private void SyncSegment(LogSegment segment)
    {
        _sync.SyncFile(segment.File!);
        segment.Unsynced = false;
    }

    private void SealSegment(LogSegment segment)
    {
        if (segment.Unsynced)
        {
            SyncSegment(segment);
        }

        SyncDirectoryIfNeeded();
        segment.File!.Dispose();
        segment.File = null;
    }

    private void SyncDirectoryIfNeeded()
    {
        if (_directoryDirty)
        {
            _sync.SyncDirectory(_fs, _directory);
            _directoryDirty = false;
        }
    }

    private LogSegment CreateSegment(long firstIndex)
    {
        var sequence = _nextSequence++;
        var path = System.IO.Path.Combine(_directory, NumberedFileName.Segment.Format(sequence, firstIndex));
        var file = _fs.OpenFile(path, StorageFileMode.CreateNew, _preallocate ? _segmentSize : 0);
        try
        {
            Span<byte> header = stackalloc byte[SegmentHeader.Size];
            SegmentHeader.Write(header, sequence, firstIndex);
            file.Write(0, header);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        if (_buffer.Length == 0)
        {
            _buffer = new byte[WriteChunk];
        }

        _directoryDirty = true; // The new name becomes durable with the directory sync after the segment's first data sync.
        var segment = new LogSegment(sequence, firstIndex, path) { File = file, Unsynced = true };
        _segments.Add(segment);
        return segment;
    }

    /// <summary>Removes the entries from <paramref name="index"/> on (a conflicting suffix, Raft §5.3). The removal is made
    /// durable before new entries are written, so a crash can never mix new entries with stale ones after them.</summary>
    private void TruncateSuffix(long index)
    {
        CloseReader();
        while (_segments.Count > 0 && _segments[^1].FirstIndex >= index)
        {
            // Newest first, each removal durable before the next, so a crash leaves a gap-free sequence of segments.
            var last = _segments[^1];
            last.File?.Dispose();
            _fs.DeleteFile(last.Path);
            _sync.SyncDirectory(_fs, _directory);
            _segments.RemoveAt(_segments.Count - 1);
            _nextSequence = last.Sequence; // Keeps the sequence gap-free: recovery reports gaps as missing segments.
        }

        if (_segments.Count > 0 && _segments[^1].LastIndex >= index)
        {
            var segment = Writable(_segments[^1]);
            segment.TruncateFrom(index);
            segment.File!.SetLength(segment.EndOffset);
            _sync.SyncFile(segment.File);
        }

        _lastIndex = index - 1;
    }
}
