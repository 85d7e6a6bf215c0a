namespace HsmRaft.Storage;

/// <summary>Snapshots kept in memory, for tests and the simulator. A snapshot becomes visible when its sink commits.</summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private byte[]? _data;

    /// <inheritdoc />
    public SnapshotMetadata? Latest { get; private set; }

    /// <inheritdoc />
    public ValueTask<SnapshotMetadata?> OpenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Latest);

    /// <inheritdoc />
    public ValueTask<ISnapshotSink> CreateAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return ValueTask.FromResult<ISnapshotSink>(new Sink(this, metadata));
    }

    /// <inheritdoc />
    public ValueTask<Stream?> OpenReadAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<Stream?>(_data is null ? null : new MemoryStream(_data, writable: false));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => default;

    private sealed class Sink(InMemorySnapshotStore store, SnapshotMetadata metadata) : ISnapshotSink
    {
        private MemoryStream? _buffer = new();

        public SnapshotMetadata Metadata { get; private set; } = metadata;

        public long BytesWritten => _buffer?.Length ?? Metadata.Size;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            var buffer = _buffer ?? throw new InvalidOperationException("The snapshot sink is committed or disposed.");
            buffer.Write(data.Span);
            return default;
        }

        public ValueTask<SnapshotMetadata> CommitAsync(CancellationToken cancellationToken = default)
        {
            var buffer = _buffer ?? throw new InvalidOperationException("The snapshot sink is already committed or disposed.");
            StorageRules.EnsureNotOlder(store.Latest, Metadata);
            Metadata = Metadata with { Size = buffer.Length };
            store._data = buffer.ToArray();
            store.Latest = Metadata;
            _buffer = null;
            return ValueTask.FromResult(Metadata);
        }

        public ValueTask DisposeAsync()
        {
            _buffer = null;
            return default;
        }
    }
}
