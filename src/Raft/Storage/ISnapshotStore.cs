namespace HsmRaft.Storage;

/// <summary>Keeps the latest snapshot. Writing goes to a temporary place and becomes visible atomically on commit.</summary>
public interface ISnapshotStore : IAsyncDisposable
{
    /// <summary>Opens the store and verifies the latest snapshot's checksum; returns its metadata or null when there is none.
    /// Damage throws <see cref="StorageCorruptedException"/>.</summary>
    ValueTask<SnapshotMetadata?> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>The metadata of the latest committed snapshot, or null.</summary>
    SnapshotMetadata? Latest { get; }

    /// <summary>Starts writing a snapshot. Nothing is visible until <see cref="ISnapshotSink.CommitAsync"/>.</summary>
    ValueTask<ISnapshotSink> CreateAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Opens the latest snapshot's data for reading (seekable), or returns null when there is none.</summary>
    ValueTask<Stream?> OpenReadAsync(CancellationToken cancellationToken = default);
}

/// <summary>A snapshot being written. Disposing without <see cref="CommitAsync"/> discards it.</summary>
public interface ISnapshotSink : IAsyncDisposable
{
    /// <summary>The snapshot being written.</summary>
    SnapshotMetadata Metadata { get; }

    /// <summary>Bytes written so far (the offset the next chunk must start at).</summary>
    long BytesWritten { get; }

    /// <summary>Appends data.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes the snapshot durable (fsync, atomic rename) and the store's latest; older snapshots are removed after.</summary>
    ValueTask<SnapshotMetadata> CommitAsync(CancellationToken cancellationToken = default);
}
