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

        var batchBytes = BatchBytes(entries);
        var segment = _segments.Count == 0 ? CreateSegment(first, batchBytes) : Writable(_segments[^1]);
        if (segment.Count > 0 && segment.EndOffset + batchBytes > _segmentSize)
        {
            // Start a batch that does not fit in a new segment rather than splitting it: one sync per batch, and a batch
            // larger than a whole segment leaves one full segment and a short tail instead of two partial ones.
            SealSegment(segment);
            segment = CreateSegment(first, batchBytes);
        }

        // A batch that starts a segment may run past the segment size by a quarter, so that a batch of about one segment
        // (64 KiB entries x 1024 in 64 MiB segments: 32 KiB of record headers too many) still costs one sync and one new
        // file instead of spilling its last entries into another segment. A quarter keeps every segment below 1.25 GiB,
        // well within what recovery reads into one array.
        var limit = segment.Count == 0 ? _segmentSize + (_segmentSize / 4) : _segmentSize;

        var writebackFrom = segment.EndOffset;
        var flags = LogRecordFlags.UnitStart;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var size = LogRecord.SizeOf(entry.Data.Length);
            if (segment.Count > 0 && segment.EndOffset + size > limit)
            {
                // Roll over. The full segment is synced (and its name, if new) before the next one gets a byte, so after a
                // crash only the last segment can hold an unfinished write: damage anywhere else is corruption.
                Flush(segment);
                SealSegment(segment);
                segment = CreateSegment(entry.Index);
                limit = _segmentSize;
                writebackFrom = segment.EndOffset;
                flags = LogRecordFlags.UnitStart;
            }

            _writer.Add(entry, flags);
            flags = LogRecordFlags.None;
            segment.Add(segment.EndOffset);
            segment.EndOffset += size;
            if (_writer.Pending >= WriteChunk)
            {
                Flush(segment);
                if (segment.EndOffset - writebackFrom >= WritebackWindow)
                {
                    // A large batch: let the disk start on what is written while the rest is encoded. In windows of several
                    // MiB, because asking after every 1 MiB write made the disk take smaller requests: 15-25% slower on
                    // 4 MiB batches on the benchmark machine.
                    segment.File!.StartWriteback(writebackFrom, segment.EndOffset - writebackFrom);
                    writebackFrom = segment.EndOffset;
                }
            }
        }

        Flush(segment);
        SyncSegment(segment);
        SyncDirectoryIfNeeded();
        _lastIndex = entries[^1].Index;
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

    private void Flush(LogSegment segment)
    {
        if (_writer.Pending > 0)
        {
            _writer.WriteTo(segment.File!, segment.EndOffset - _writer.Pending);
            segment.Unsynced = true;
        }
    }

    private void SyncSegment(LogSegment segment)
    {
        _sync.SyncFile(segment.File!);
        segment.Unsynced = false;
        DropSyncedFromCache(segment, sealing: false);
    }

    /// <summary>Lets the kernel drop the segment's synced pages from its page cache: the log reads them back only at recovery
    /// (the node keeps its log in memory), and a cache full of old log pages makes every new write take fresh memory from the
    /// kernel, which cost more than the disk itself on the benchmark machine. An open segment keeps its last, partly written
    /// page (the next append would have to read it back from disk) and is dropped in steps of <see cref="CacheDropStep"/>, so
    /// that small appends do not pay an extra system call each.</summary>
    private void DropSyncedFromCache(LogSegment segment, bool sealing)
    {
        if (_sync.Mode == FsyncMode.UnsafeNoSync)
        {
            return; // Nothing is synced: dropping dirty pages would only start their writeback.
        }

        var end = sealing ? segment.EndOffset : segment.EndOffset & ~(long)(Environment.SystemPageSize - 1);
        if (end - segment.CachedFrom >= (sealing ? 1 : CacheDropStep))
        {
            segment.File!.DropCache(segment.CachedFrom, end - segment.CachedFrom);
            segment.CachedFrom = end;
        }
    }

    private void SealSegment(LogSegment segment)
    {
        if (segment.Unsynced)
        {
            SyncSegment(segment);
        }

        DropSyncedFromCache(segment, sealing: true);
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

    /// <param name="firstIndex">Index of the segment's first record.</param>
    /// <param name="batchBytes">Record bytes of the batch that starts the segment, which may overrun the segment size by
    /// a quarter: reserved too, so that a full disk still shows up here rather than in the middle of the batch.</param>
    private LogSegment CreateSegment(long firstIndex, long batchBytes = 0)
    {
        var sequence = _nextSequence++;
        var path = System.IO.Path.Combine(_directory, NumberedFileName.Segment.Format(sequence, firstIndex));
        var reserve = Math.Max(_segmentSize, Math.Min(SegmentHeader.Size + batchBytes, _segmentSize + (_segmentSize / 4)));
        var file = _fs.OpenFile(path, StorageFileMode.CreateNew, _preallocate ? reserve : 0);
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
