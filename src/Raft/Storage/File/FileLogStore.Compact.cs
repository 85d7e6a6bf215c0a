using System.Buffers.Binary;
using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

public sealed partial class FileLogStore
{
    /// <summary>
    /// Moves the start marker to (<paramref name="index"/>, <paramref name="term"/>) and deletes the segments it covers.
    /// The marker is made durable first, so a crash part-way leaves segments that recovery recognises as covered.
    /// When the stored entry at <paramref name="index"/> has another term, the whole log conflicts with the snapshot and is
    /// discarded (Raft Figure 13, step 7: "retain log entries following it" only when index and term match).
    /// </summary>
    private void CompactCore(long index, long term)
    {
        if (index <= _startIndex)
        {
            return;
        }

        CloseReader();
        var keepSuffix = index < _lastIndex && TermAt(index) == term;
        WriteMarker(index, term);
        if (keepSuffix)
        {
            // Whole segments whose successor starts at or below index + 1 hold only covered entries. Any subset of them
            // surviving a crash is harmless: recovery skips every segment before the last one starting at or below marker + 1.
            var drop = 0;
            while (drop + 1 < _segments.Count && _segments[drop + 1].FirstIndex <= index + 1)
            {
                DeleteSegmentFile(_segments[drop]);
                drop++;
            }

            if (drop > 0)
            {
                _segments.RemoveRange(0, drop);
                _sync.SyncDirectory(_fs, _directory);
            }
        }
        else
        {
            DeleteAllSegments(conflicting: index < _lastIndex);
            _lastIndex = index;
        }

        _startIndex = index;
        _startTerm = term;
    }

    /// <summary>Deletes every segment. When entries after the marker conflict with it, deletes newest first with each
    /// deletion durable, so a crash never leaves a stale entry past the marker without also leaving the conflicting entry at
    /// the marker, which recovery detects. When every entry is covered by the marker, any leftover is recognised as covered.</summary>
    private void DeleteAllSegments(bool conflicting)
    {
        for (var k = _segments.Count - 1; k >= 0; k--)
        {
            DeleteSegmentFile(_segments[k]);
            if (conflicting)
            {
                _sync.SyncDirectory(_fs, _directory);
            }
        }

        if (_segments.Count > 0 && !conflicting)
        {
            _sync.SyncDirectory(_fs, _directory);
        }

        _segments.Clear();
    }

    private void DeleteSegmentFile(LogSegment segment)
    {
        segment.File?.Dispose();
        segment.File = null;
        _fs.DeleteFile(segment.Path);
    }

    private void WriteMarker(long index, long term)
    {
        Span<byte> payload = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(payload, index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], term);
        ChecksummedFile.WriteAtomically(_fs, _markerPath, FileMagic.StartMarker, payload, _sync);
    }

    private (long Index, long Term) ReadMarker()
    {
        var payload = ChecksummedFile.Read(_fs, _markerPath, FileMagic.StartMarker, "log start marker");
        if (payload is null)
        {
            return (0, 0);
        }

        var index = payload.Length == 16 ? BinaryPrimitives.ReadInt64LittleEndian(payload) : -1;
        var term = payload.Length == 16 ? BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8)) : -1;
        if (index < 0 || term < 0 || (index == 0) != (term == 0))
        {
            throw new StorageCorruptedException(_markerPath, 16, null, "the log start marker holds an impossible index or term");
        }

        return (index, term);
    }

    /// <summary>The term of a stored entry (read from its record header).</summary>
    private long TermAt(long index)
    {
        var segment = SegmentOf(index);
        Span<byte> header = stackalloc byte[LogRecord.HeaderSize];
        var offset = segment.OffsetOf(index);
        ChecksummedFile.ReadExactly(FileOf(segment), offset, header);
        if (!LogRecord.TryReadHeader(header, out var h) || h.Index != index)
        {
            throw new StorageCorruptedException(segment.Path, offset, index, "a record header fails its CRC-32C or holds the wrong index");
        }

        return h.Term;
    }
}
