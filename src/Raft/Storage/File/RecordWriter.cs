using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

/// <summary>
/// Collects the records of one append until they are written to their segment. Record headers and small records are
/// encoded into a reused buffer; large payloads stay in the caller's memory and reach the file by reference, in one
/// gathered write (<c>pwritev</c>), so a batch of 64 KiB entries is read once (for its CRC) instead of also being copied.
/// The write is done before the append returns, so the caller's memory is only borrowed for the length of the call.
/// </summary>
internal sealed class RecordWriter
{
    /// <summary>Payloads from this size on are written from the caller's memory; for smaller ones, copying is cheaper
    /// than the kernel walking one more buffer.</summary>
    public const int GatherFrom = 4096;

    private readonly List<ReadOnlyMemory<byte>> _parts = [];
    private readonly int _chunk;
    private byte[] _buffer = [];
    private int _used;      // bytes of _buffer holding encoded data
    private int _partStart; // start of the bytes of _buffer not yet in _parts

    /// <summary>A writer whose caller writes out whenever <see cref="Pending"/> reaches <paramref name="chunk"/> bytes.</summary>
    public RecordWriter(int chunk) => _chunk = chunk;

    /// <summary>Bytes collected and not yet written.</summary>
    public int Pending { get; private set; }

    /// <summary>Adds the record of <paramref name="entry"/>. The caller writes out before <see cref="Pending"/> exceeds the
    /// chunk size given at construction, which keeps the buffer's use below one chunk plus one small record.</summary>
    public void Add(in LogEntry entry, LogRecordFlags flags)
    {
        if (_buffer.Length == 0)
        {
            _buffer = new byte[_chunk + LogRecord.SizeOf(GatherFrom)];
        }

        var length = entry.Data.Length;
        var size = LogRecord.SizeOf(length);
        if (length < GatherFrom)
        {
            LogRecord.Write(_buffer.AsSpan(_used, size), entry, flags);
            _used += size;
        }
        else
        {
            LogRecord.WriteHeader(_buffer.AsSpan(_used, LogRecord.HeaderSize), entry, flags);
            _used += LogRecord.HeaderSize;
            _parts.Add(_buffer.AsMemory(_partStart, _used - _partStart));
            _parts.Add(entry.Data);

            // The zero padding after the payload begins the next buffer part.
            _partStart = _used;
            var padding = size - LogRecord.HeaderSize - length;
            _buffer.AsSpan(_used, padding).Clear();
            _used += padding;
        }

        Pending += size;
    }

    /// <summary>Writes everything collected to <paramref name="file"/> at <paramref name="offset"/> and starts over.</summary>
    public void WriteTo(IStorageFile file, long offset)
    {
        try
        {
            if (_used > _partStart)
            {
                _parts.Add(_buffer.AsMemory(_partStart, _used - _partStart));
            }

            if (_parts.Count == 1)
            {
                file.Write(offset, _parts[0].Span);
            }
            else if (_parts.Count > 1)
            {
                file.Write(offset, _parts);
            }
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Forgets what was collected, including the references to the caller's payloads.</summary>
    public void Reset()
    {
        _parts.Clear();
        _used = 0;
        _partStart = 0;
        Pending = 0;
    }
}
