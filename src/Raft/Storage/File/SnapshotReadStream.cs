using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

/// <summary>
/// A read-only, seekable view of a snapshot's data. When the data is read from start to end without seeking, the bytes
/// are checked against the CRC-32C in the file again as they go, so a snapshot that was damaged after the store opened is
/// still never handed out silently: the read that reaches the end throws <see cref="StorageCorruptedException"/>.
/// </summary>
internal sealed class SnapshotReadStream(IStorageFile file, long dataOffset, long length, uint expectedCrc) : Stream
{
    private long _position;
    private long _verified;
    private uint _crc = Crc32C.Seed;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        ChecksummedFile.ReadExactly(file, dataOffset + _position, buffer[..count]);
        // Only a read that continues exactly where verification stopped extends it, so seeking never breaks it.
        if (_position == _verified)
        {
            _crc = Crc32C.Update(_crc, buffer[..count]);
            _verified += count;
            if (_verified == length && Crc32C.Finish(_crc) != expectedCrc)
            {
                throw new StorageCorruptedException(file.Path, dataOffset, null, "the snapshot's data fails its CRC-32C while being read (it changed on disk after the store opened)");
            }
        }

        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("Snapshot data is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Snapshot data is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }
}
