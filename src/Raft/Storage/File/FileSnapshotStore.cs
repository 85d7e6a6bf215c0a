using HsmRaft.Storage.Format;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Storage;

/// <summary>
/// Keeps the latest snapshot in <c>snapshots/</c>. A snapshot is written to a <c>.tmp</c> file, synced, renamed into place and
/// the directory synced; only then are older snapshots deleted. Opening verifies the whole file's CRC-32C, and a reader that
/// reads the data to its end verifies it again. File format: docs/storage.md.
/// </summary>
public sealed class FileSnapshotStore : ISnapshotStore
{
    private readonly IStorageFileSystem _fs;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly DirectoryLock.DirectoryLease? _lease;
    // The latest snapshot's metadata and file, published together as one immutable object: a reader on another thread
    // (the leader streaming chunks) must never pair one snapshot's metadata with another's file.
    private volatile LatestSnapshot? _latest;
    private long _tempCounter;
    private bool _opened;
    private bool _disposed;

    internal FileSnapshotStore(FileStorageOptions options, string directory, ILogger logger, DirectoryLock.DirectoryLease? lease)
    {
        _fs = options.FileSystem ?? PhysicalStorageFileSystem.Instance;
        _directory = directory;
        Sync = new SyncPolicy(options.FsyncMode);
        _logger = logger;
        _lease = lease;
    }

    /// <inheritdoc />
    public SnapshotMetadata? Latest => _latest?.Metadata;

    internal SyncPolicy Sync { get; }

    internal IStorageFileSystem FileSystem => _fs;

    internal string Directory => _directory;

    /// <inheritdoc />
    public ValueTask<SnapshotMetadata?> OpenAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_opened)
        {
            throw new InvalidOperationException("The snapshot store is already open; call OpenAsync once.");
        }

        try
        {
            Recover();
            _opened = true;
            return ValueTask.FromResult(Latest);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<SnapshotMetadata?>(e);
        }
    }

    /// <inheritdoc />
    public ValueTask<ISnapshotSink> CreateAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        if (metadata.LastIncludedIndex <= 0 || metadata.LastIncludedTerm <= 0)
        {
            throw new ArgumentException($"A snapshot must cover at least one entry: index {metadata.LastIncludedIndex} and term {metadata.LastIncludedTerm} must both be positive.", nameof(metadata));
        }

        var temp = Path.Combine(_directory, SnapshotFileFormat.FileName(metadata.LastIncludedIndex, metadata.LastIncludedTerm) + "." + Interlocked.Increment(ref _tempCounter) + ".tmp");
        return ValueTask.FromResult<ISnapshotSink>(new FileSnapshotSink(this, metadata, temp));
    }

    /// <inheritdoc />
    public ValueTask<Stream?> OpenReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        for (var attempt = 1; ; attempt++)
        {
            if (_latest is not { } latest)
            {
                return ValueTask.FromResult<Stream?>(null);
            }

            try
            {
                var file = _fs.OpenFile(latest.Path, StorageFileMode.OpenRead);
                return ValueTask.FromResult<Stream?>(new SnapshotReadStream(file, latest.DataOffset, latest.Metadata.Size, latest.DataCrc));
            }
            catch (FileNotFoundException) when (attempt < 3 && _latest != latest)
            {
                // A newer snapshot was committed and this one removed between reading _latest and opening it: open the newer one.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _lease?.Dispose();
        }

        return default;
    }

    /// <summary>Called by a sink once its file is durable under its final name.</summary>
    internal void OnCommitted(SnapshotMetadata metadata, string path, long dataOffset, uint dataCrc)
    {
        _latest = new LatestSnapshot(metadata, path, dataOffset, dataCrc);
        var removed = false;
        foreach (var name in _fs.ListFiles(_directory))
        {
            var other = Path.Combine(_directory, name);
            if (other != path && SnapshotFileFormat.TryParseName(name, out _, out _))
            {
                _fs.DeleteFile(other);
                StorageLog.OldSnapshotRemoved(_logger, other);
                removed = true;
            }
        }

        if (removed)
        {
            Sync.SyncDirectory(_fs, _directory);
        }
    }

    internal void EnsureCanCommit(SnapshotMetadata metadata)
    {
        EnsureOpen();
        StorageRules.EnsureNotOlder(Latest, metadata);
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_opened)
        {
            throw new InvalidOperationException("The snapshot store is not open; call OpenAsync first.");
        }
    }

    private void Recover()
    {
        _fs.CreateDirectory(_directory);
        (string Path, long Index, long Term)? newest = null;
        var all = new List<string>();
        foreach (var name in _fs.ListFiles(_directory))
        {
            var path = Path.Combine(_directory, name);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                StorageLog.LeftoverRemoved(_logger, path);
                _fs.DeleteFile(path);
            }
            else if (SnapshotFileFormat.TryParseName(name, out var index, out var term))
            {
                all.Add(path);
                if (newest is not { } n || index > n.Index || (index == n.Index && term > n.Term))
                {
                    newest = (path, index, term);
                }
            }
            else
            {
                StorageLog.UnknownFileIgnored(_logger, path);
            }
        }

        if (newest is not { } latest)
        {
            return;
        }

        // The newest snapshot must be intact: an older one would silently roll the state machine back.
        using (var file = _fs.OpenFile(latest.Path, StorageFileMode.OpenRead))
        {
            var (metadata, dataOffset, dataCrc) = SnapshotFileFormat.Verify(file, latest.Index, latest.Term);
            _latest = new LatestSnapshot(metadata, latest.Path, dataOffset, dataCrc);
        }

        // Older files remain only when a crash hit between a commit and the clean-up that follows it.
        var removed = false;
        foreach (var path in all.Where(p => p != latest.Path))
        {
            _fs.DeleteFile(path);
            StorageLog.OldSnapshotRemoved(_logger, path);
            removed = true;
        }

        if (removed)
        {
            Sync.SyncDirectory(_fs, _directory);
        }
    }

    private sealed record LatestSnapshot(SnapshotMetadata Metadata, string Path, long DataOffset, uint DataCrc);
}
