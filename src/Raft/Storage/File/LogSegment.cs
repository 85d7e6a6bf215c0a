namespace HsmRaft.Storage;

/// <summary>One segment file of the log and the in-memory index of its records (byte offset per log index).</summary>
internal sealed class LogSegment(long sequence, long firstIndex, string path)
{
    private long[] _offsets = new long[64];

    public long Sequence { get; } = sequence;

    /// <summary>Index of the segment's first record (which may be at or below the log's start marker).</summary>
    public long FirstIndex { get; } = firstIndex;

    public string Path { get; } = path;

    /// <summary>Number of records.</summary>
    public int Count { get; private set; }

    /// <summary>Byte offset just past the last record: where the next record goes.</summary>
    public long EndOffset { get; set; } = Format.SegmentHeader.Size;

    /// <summary>Index of the last record, or <see cref="FirstIndex"/> - 1 when empty.</summary>
    public long LastIndex => FirstIndex + Count - 1;

    /// <summary>True when bytes were written since the segment was last synced.</summary>
    public bool Unsynced { get; set; }

    /// <summary>Start of the bytes that may still be in the OS page cache (see <c>FileLogStore.DropSyncedFromCache</c>).</summary>
    public long CachedFrom { get; set; }

    /// <summary>The open handle of the segment being appended to; null for older segments.</summary>
    public IStorageFile? File { get; set; }

    public void Add(long offset)
    {
        if (Count == _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
        }

        _offsets[Count++] = offset;
    }

    public long OffsetOf(long index) => _offsets[index - FirstIndex];

    /// <summary>Byte offset just past the record of <paramref name="index"/>.</summary>
    public long EndOf(long index) => index == LastIndex ? EndOffset : _offsets[index - FirstIndex + 1];

    /// <summary>Forgets the records from <paramref name="index"/> on; the caller truncates the file.</summary>
    public void TruncateFrom(long index)
    {
        EndOffset = OffsetOf(index);
        Count = (int)(index - FirstIndex);
        CachedFrom = Math.Min(CachedFrom, EndOffset); // The cut-off range will be written again.
    }
}
