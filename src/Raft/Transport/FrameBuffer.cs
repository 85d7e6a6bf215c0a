using System.Buffers;

namespace HsmRaft.Transport;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}"/> that frames are written into. Unlike
/// <see cref="ArrayBufferWriter{T}"/> it can patch bytes already written (a frame's length is known only after its
/// payload is serialized) and roll back to an earlier length (a message that turns out too large is removed again).
/// Not thread-safe; one per writer loop.
/// </summary>
public sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a buffer with room for <paramref name="initialCapacity"/> bytes.</summary>
    public FrameBuffer(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far. Valid until the next write, <see cref="Truncate"/> or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Writable view of bytes already written, for patching a header after its payload.</summary>
    public Span<byte> WrittenSpan(int offset, int length) => _buffer.AsSpan(0, _length).Slice(offset, length);

    /// <summary>Drops everything written from <paramref name="length"/> on.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        _length = length;
    }

    /// <summary>Empties the buffer. Large buffers (over 4 MiB) go back to the pool so one huge batch does not pin memory.</summary>
    public void Reset()
    {
        _length = 0;
        if (_buffer.Length > 4 * 1024 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        }
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the span returned by GetSpan/GetMemory.");
        }

        _length += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)needed, _buffer.Length * 2L)));
        _buffer.AsSpan(0, _length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
