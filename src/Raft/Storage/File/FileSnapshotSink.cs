using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

/// <summary>Writes one snapshot into a temporary file; <see cref="CommitAsync"/> makes it durable and visible.</summary>
internal sealed class FileSnapshotSink : ISnapshotSink
{
    private readonly FileSnapshotStore _store;
    private readonly string _tempPath;
    private readonly long _dataOffset;
    private IStorageFile? _file;
    private uint _crc = Crc32C.Seed;
    private bool _committed;

    public FileSnapshotSink(FileSnapshotStore store, SnapshotMetadata metadata, string tempPath)
    {
        _store = store;
        _tempPath = tempPath;
        Metadata = metadata;
        var header = SnapshotFileFormat.EncodeHeader(metadata);
        _file = store.FileSystem.OpenFile(tempPath, StorageFileMode.Create);
        try
        {
            _file.Write(0, header);
        }
        catch
        {
            _file.Dispose();
            throw;
        }

        _dataOffset = header.Length;
    }

    public SnapshotMetadata Metadata { get; private set; }

    public long BytesWritten { get; private set; }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var file = _file ?? throw new InvalidOperationException("The snapshot sink is committed or disposed; create a new one to write another snapshot.");
        try
        {
            file.Write(_dataOffset + BytesWritten, data.Span);
            _crc = Crc32C.Update(_crc, data.Span);
            BytesWritten += data.Length;
            return default;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public ValueTask<SnapshotMetadata> CommitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var file = _file ?? throw new InvalidOperationException("The snapshot sink is already committed or disposed.");
        _store.EnsureCanCommit(Metadata);
        try
        {
            var crc = Crc32C.Finish(_crc);
            file.Write(_dataOffset + BytesWritten, SnapshotFileFormat.EncodeTrailer(BytesWritten, crc));
            _store.Sync.SyncFile(file);
            file.Dispose();
            _file = null;
            var path = Path.Combine(_store.Directory, SnapshotFileFormat.FileName(Metadata.LastIncludedIndex, Metadata.LastIncludedTerm));
            _store.FileSystem.RenameFile(_tempPath, path);
            _store.Sync.SyncDirectory(_store.FileSystem, _store.Directory);
            _committed = true;
            Metadata = Metadata with { Size = BytesWritten };
            _store.OnCommitted(Metadata, path, _dataOffset, crc);
            return ValueTask.FromResult(Metadata);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<SnapshotMetadata>(e);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_file is { } file)
        {
            file.Dispose();
            _file = null;
        }

        if (!_committed)
        {
            _committed = true; // Dispose twice deletes once.
            _store.FileSystem.DeleteFile(_tempPath);
        }

        return default;
    }
}
