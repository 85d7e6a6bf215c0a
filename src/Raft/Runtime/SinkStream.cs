using HsmRaft.Storage;

namespace HsmRaft.Runtime;

/// <summary>A write-only stream over an <see cref="ISnapshotSink"/>, handed to <see cref="IRaftSnapshotSource.WriteToAsync"/>.</summary>
internal sealed class SinkStream(ISnapshotSink sink) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => sink.BytesWritten;

    public override long Position
    {
        get => sink.BytesWritten;
        set => throw new NotSupportedException("A snapshot is written sequentially.");
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        sink.WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        sink.WriteAsync(buffer.ToArray(), cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        sink.WriteAsync(buffer.AsMemory(offset, count).ToArray(), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
