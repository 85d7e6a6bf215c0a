using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

public sealed partial class FileLogStore
{
    /// <summary>Keep a segment's read buffer only when it is mostly data; otherwise copy the data out so that reserved,
    /// unwritten space is not held in memory by the recovered entries.</summary>
    private const int MaxRecoveryWaste = 1 << 20;

    private LogRecovery Recover()
    {
        // A failed earlier attempt (for example a disk error while reading) may be retried from a clean slate.
        _segments.Clear();
        _nextSequence = 1;
        _directoryDirty = false;
        _fs.CreateDirectory(_directory);
        var found = ListSegments();
        (_startIndex, _startTerm) = ReadMarker();
        if (found.Count > 0)
        {
            _nextSequence = found[^1].Sequence + 1;
        }

        // The log starts at the segment holding the marker's own entry (kept so that its term can be checked against the
        // marker), or at one starting right after the marker. Segments before it hold only covered entries: a compaction
        // deleted (or was deleting) them.
        var baseAt = found.FindLastIndex(f => f.FirstIndex <= _startIndex);
        if (baseAt < 0 && found.Count > 0 && found[0].FirstIndex == _startIndex + 1)
        {
            baseAt = 0;
        }

        if (found.Count > 0 && baseAt < 0)
        {
            throw new StorageCorruptedException(found[0].Path, 0, found[0].FirstIndex,
                $"the log's first segment starts at index {found[0].FirstIndex}, but the start marker is at index {_startIndex}: " +
                $"the segment(s) holding entries {_startIndex + 1} to {found[0].FirstIndex - 1} are missing");
        }

        for (var i = 0; i < baseAt; i++)
        {
            StorageLog.ObsoleteSegmentRemoved(_logger, found[i].Path, _startIndex);
            _fs.DeleteFile(found[i].Path);
            _directoryDirty = true;
        }

        var entries = new List<LogEntry>();
        long? termAtMarker = null;
        for (var i = Math.Max(baseAt, 0); i < found.Count; i++)
        {
            var segment = LoadSegment(found[i], isLast: i == found.Count - 1, entries, ref termAtMarker);
            if (segment is null)
            {
                break;
            }

            _segments.Add(segment);
        }

        SyncDirectoryIfNeeded();
        DropSegmentsTheMarkerSupersedes(entries, termAtMarker);
        if (_segments.Count > 0)
        {
            _nextSequence = _segments[^1].Sequence + 1; // A removed torn segment's number is reused: no gap.
        }

        _lastIndex = _segments.Count > 0 ? Math.Max(_segments[^1].LastIndex, _startIndex) : _startIndex;
        if (_segments.Count > 0)
        {
            // The last segment may hold complete records that a killed process wrote but never synced: they are still in the
            // page cache, so they were read back above and are now part of the log. Make them durable before they are
            // reported (and before the segment is ever sealed, which syncs only what this process wrote, and drops the
            // segment's pages from the cache on the premise that they are synced).
            _sync.SyncFile(Writable(_segments[^1]).File!);
        }

        StorageLog.LogOpened(_logger, _directory, _segments.Count, _startIndex, _startTerm, _lastIndex);
        return new LogRecovery(_startIndex, _startTerm, entries);
    }

    private List<LogSegment> ListSegments()
    {
        var found = new List<LogSegment>();
        foreach (var name in _fs.ListFiles(_directory))
        {
            var path = System.IO.Path.Combine(_directory, name);
            if (NumberedFileName.Segment.TryParse(name, out var sequence, out var first))
            {
                found.Add(new LogSegment(sequence, first, path));
            }
            else if (name == MarkerFileName + ".tmp")
            {
                StorageLog.LeftoverRemoved(_logger, path);
                _fs.DeleteFile(path);
            }
            else if (name != MarkerFileName)
            {
                StorageLog.UnknownFileIgnored(_logger, path);
            }
        }

        found.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        for (var i = 1; i < found.Count; i++)
        {
            if (found[i].Sequence != found[i - 1].Sequence + 1)
            {
                throw new StorageCorruptedException(found[i].Path, 0, found[i].FirstIndex,
                    $"the segment sequence jumps from {found[i - 1].Sequence} ('{found[i - 1].Path}') to {found[i].Sequence}: segment file(s) in between are missing or duplicated");
            }
        }

        return found;
    }

    /// <summary>Validates one segment, truncates a torn final write, and appends its entries after the marker to
    /// <paramref name="entries"/>. Returns null when the segment was an empty file left by a crash during its creation.</summary>
    private LogSegment? LoadSegment(LogSegment segment, bool isLast, List<LogEntry> entries, ref long? termAtMarker)
    {
        if (_segments.Count > 0 && segment.FirstIndex != _segments[^1].LastIndex + 1)
        {
            throw new StorageCorruptedException(segment.Path, 0, segment.FirstIndex,
                $"the segment starts at index {segment.FirstIndex}, but the previous segment '{_segments[^1].Path}' ends at index {_segments[^1].LastIndex}: " +
                "a segment is missing or does not belong to this log");
        }

        var data = ChecksummedFile.ReadAll(_fs, segment.Path);
        if (isLast && IsTornHeader(data))
        {
            // Created just before a crash: its header (written with its first batch, which was never synced) is incomplete.
            StorageLog.TornSegmentRemoved(_logger, segment.Path);
            _fs.DeleteFile(segment.Path);
            _directoryDirty = true;
            return null;
        }

        if (data.Length < SegmentHeader.Size)
        {
            throw new StorageCorruptedException(segment.Path, data.Length, segment.FirstIndex, $"the segment is {data.Length} bytes long, shorter than its {SegmentHeader.Size}-byte header");
        }

        SegmentHeader.Validate(segment.Path, data, segment.Sequence, segment.FirstIndex);
        var scan = SegmentScanner.Scan(segment.Path, data, segment.FirstIndex, isLast);
        if (scan.TornAt >= 0)
        {
            using (var file = _fs.OpenFile(segment.Path, StorageFileMode.OpenExisting))
            {
                // Made durable before anything new is written, so the cut-off bytes can never resurface after later entries.
                file.SetLength(scan.TornAt);
                _sync.SyncFile(file);
            }

            StorageLog.TornTailTruncated(_logger, segment.Path, scan.TornAt, segment.FirstIndex + scan.Offsets.Count, data.Length - scan.TornAt);
        }

        if (data.Length - scan.DataEnd > MaxRecoveryWaste)
        {
            data = data.AsSpan(0, (int)scan.DataEnd).ToArray();
        }

        segment.EndOffset = scan.DataEnd;
        for (var k = 0; k < scan.Offsets.Count; k++)
        {
            var offset = scan.Offsets[k];
            segment.Add(offset);
            LogRecord.TryReadHeader(data.AsSpan((int)offset), out var h);
            if (h.Index == _startIndex)
            {
                termAtMarker = h.Term;
            }
            else if (h.Index > _startIndex)
            {
                entries.Add(new LogEntry(h.Index, h.Term, h.Kind, data.AsMemory((int)offset + LogRecord.HeaderSize, h.PayloadLength)));
            }
        }

        return segment;
    }

    /// <summary>A segment header that a crash interrupted: the file is shorter than the header, or the header's CRC field
    /// (its last 4 bytes, written in the same sector as the rest) reads as zeros.</summary>
    private static bool IsTornHeader(ReadOnlySpan<byte> data) =>
        data.Length < SegmentHeader.Size
        || (data[..SegmentHeader.Size].IndexOfAnyExcept((byte)0) < 0)
        || (data[(SegmentHeader.Size - 4)..SegmentHeader.Size].IndexOfAnyExcept((byte)0) < 0 && !HeaderCrcMatches(data));

    private static bool HeaderCrcMatches(ReadOnlySpan<byte> data) =>
        Crc32C.Compute(data[..60]) == System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[60..]);

    /// <summary>Applies what an interrupted compaction had decided: segments entirely at or below the marker go, and a log
    /// whose entry at the marker has another term than the marker is discarded (it conflicts with the snapshot).</summary>
    private void DropSegmentsTheMarkerSupersedes(List<LogEntry> entries, long? termAtMarker)
    {
        if (_segments.Count == 0)
        {
            return;
        }

        if (_segments[^1].LastIndex < _startIndex)
        {
            foreach (var s in _segments)
            {
                StorageLog.ObsoleteSegmentRemoved(_logger, s.Path, _startIndex);
            }

            DeleteAllSegments(conflicting: false);
            entries.Clear();
        }
        else if (termAtMarker is { } stored && stored != _startTerm)
        {
            StorageLog.ConflictingLogDiscarded(_logger, _startIndex, _startTerm, stored);
            DeleteAllSegments(conflicting: true);
            entries.Clear();
        }
    }
}
