namespace HsmRaft.Testing;

/// <summary>A simulated file's content: what is durable and the writes and truncations made since the last sync.
/// Syncing applies only the pending changes, so long logs stay cheap to simulate.</summary>
internal sealed class Inode
{
    private readonly List<(long Offset, byte[]? Data, long NewLength)> _pending = [];
    private readonly Bytes _current = new();
    private Bytes _durable = new();

    public long Length => _current.Length;

    public ReadOnlySpan<byte> Current => _current.Span;

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset >= _current.Length)
        {
            return 0;
        }

        var n = (int)Math.Min(buffer.Length, _current.Length - offset);
        _current.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        _current.Write(offset, data);
        _pending.Add((offset, data.ToArray(), -1));
    }

    public void SetLength(long length)
    {
        _current.SetLength(length);
        _pending.Add((0, null, length));
    }

    public void Sync()
    {
        foreach (var (offset, data, newLength) in _pending)
        {
            if (data is null)
            {
                _durable.SetLength(newLength);
            }
            else
            {
                _durable.Write(offset, data);
            }
        }

        _pending.Clear();
    }

    /// <summary>True when a write since the last sync touches [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>),
    /// or a truncation since the last sync is pending (it changes what the range holds).</summary>
    public bool HasUnsyncedChanges(long offset, long count) =>
        _pending.Any(p => p.Data is null || (p.Offset < offset + count && offset < p.Offset + p.Data.Length));

    public void Replace(byte[] content)
    {
        _current.SetLength(0);
        _current.Write(0, content);
        _pending.Clear();
        _durable = _current.Clone();
    }

    /// <summary>Turns the durable image plus whatever part of the pending changes survives into the new content.</summary>
    public void Reboot(CrashMode mode, Random random)
    {
        var image = _durable.Clone();
        if (mode != CrashMode.DropUnsynced && _pending.Count > 0)
        {
            var units = _pending.Sum(p => p.Data is null ? 1 : SectorsOf(p.Offset, p.Data.Length).Count());
            var budget = mode == CrashMode.TornPrefix ? random.Next(units + 1) : int.MaxValue;
            foreach (var (offset, data, newLength) in _pending)
            {
                if (data is null)
                {
                    if (budget-- > 0 && (mode == CrashMode.TornPrefix || random.Next(2) == 0))
                    {
                        image.SetLength(newLength);
                    }

                    continue;
                }

                foreach (var (start, length) in SectorsOf(offset, data.Length))
                {
                    if (budget-- > 0 && (mode == CrashMode.TornPrefix || random.Next(2) == 0))
                    {
                        image.Write(start, data.AsSpan((int)(start - offset), length));
                    }
                }
            }

            if (mode == CrashMode.ScrambleSectors && _current.Length > image.Length && random.Next(2) == 0)
            {
                image.SetLength(_current.Length); // The new size reached the disk; the data behind it did not.
            }
        }

        _current.SetLength(0);
        _current.Write(0, image.Span);
        _durable = image;
        _pending.Clear();
    }

    /// <summary>Splits a write into the pieces that fall in distinct disk sectors.</summary>
    private static IEnumerable<(long Start, int Length)> SectorsOf(long offset, int length)
    {
        var end = offset + length;
        for (var start = offset; start < end;)
        {
            var sectorEnd = (start / SimulatedFileSystem.SectorSize + 1) * SimulatedFileSystem.SectorSize;
            var pieceEnd = Math.Min(sectorEnd, end);
            yield return (start, (int)(pieceEnd - start));
            start = pieceEnd;
        }
    }

    /// <summary>A growable byte array whose bytes past the length are always zero (so extending reads as zeros).</summary>
    private sealed class Bytes
    {
        private byte[] _buffer = [];

        public long Length { get; private set; }

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, (int)Length);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            var end = offset + data.Length;
            Reserve(end);
            data.CopyTo(_buffer.AsSpan((int)offset));
            Length = Math.Max(Length, end);
        }

        public void SetLength(long length)
        {
            Reserve(length);
            if (length < Length)
            {
                _buffer.AsSpan((int)length, (int)(Length - length)).Clear();
            }

            Length = length;
        }

        public Bytes Clone()
        {
            var copy = new Bytes();
            copy.Write(0, Span);
            return copy;
        }

        private void Reserve(long length)
        {
            if (length > _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Max(length, Math.Min(2L * _buffer.Length, int.MaxValue)));
            }
        }
    }
}
