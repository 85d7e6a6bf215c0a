using HsmRaft.Storage.Format;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Storage;

/// <summary>
/// The durable Raft log: a write-ahead log of append-only segment files with CRC-32C records, one sync per append batch
/// (group commit), suffix truncation for conflicts, and prefix compaction by whole segments below a start marker.
/// Created by <see cref="FileStorage.Open"/>. Formats and guarantees: docs/storage.md.
/// </summary>
/// <remarks>
/// Calls complete synchronously on the calling thread (the node's persistence loop): an append returns once its data is
/// on stable storage. Calls must not overlap (the <see cref="IRaftLogStore"/> contract); an overlapping call throws
/// <see cref="InvalidOperationException"/> rather than corrupt the log. After an I/O error the store refuses further
/// calls, because after a failed sync the kernel may have dropped the unsynced pages: restart the node to recover from disk.
/// </remarks>
public sealed partial class FileLogStore : IRaftLogStore
{
    private const string MarkerFileName = "start";
    private const int WriteChunk = 1 << 20;
    private const long CacheDropStep = 1 << 20;
    private const long WritebackWindow = 8 << 20;

    private readonly IStorageFileSystem _fs;
    private readonly string _directory;
    private readonly string _markerPath;
    private readonly long _segmentSize;
    private readonly bool _preallocate;
    private readonly SyncPolicy _sync;
    private readonly ILogger _logger;
    private readonly DirectoryLock.DirectoryLease? _lease;
    private readonly List<LogSegment> _segments = [];
    private readonly RecordWriter _writer = new(WriteChunk);

    private long _startIndex;
    private long _startTerm;
    private long _lastIndex;
    private long _nextSequence = 1;
    private bool _opened;
    private bool _directoryDirty; // a segment was created or removed and the directory is not yet synced
    private bool _disposed;
    private Exception? _failure;
    private int _busy;
    private (LogSegment Segment, IStorageFile File)? _reader;

    internal FileLogStore(FileStorageOptions options, string directory, ILogger logger, DirectoryLock.DirectoryLease? lease)
    {
        _fs = options.FileSystem ?? PhysicalStorageFileSystem.Instance;
        _directory = directory;
        _markerPath = System.IO.Path.Combine(directory, MarkerFileName);
        _segmentSize = options.SegmentSize;
        _preallocate = options.Preallocation == SegmentPreallocation.Reserve;
        _sync = new SyncPolicy(options.FsyncMode);
        _logger = logger;
        _lease = lease;
    }

    /// <inheritdoc />
    public long LastIndex => _lastIndex;

    /// <summary>Index of the last entry compacted away (the start marker); 0 when the log was never compacted.</summary>
    public long StartIndex => _startIndex;

    /// <summary>Term of the entry at <see cref="StartIndex"/>.</summary>
    public long StartTerm => _startTerm;

    /// <summary>The number of segment files the log currently has.</summary>
    public int SegmentCount => _segments.Count;

    /// <inheritdoc />
    public ValueTask<LogRecovery> OpenAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var call = Enter(opening: true);
        try
        {
            var recovery = Recover();
            _opened = true;
            return ValueTask.FromResult(recovery);
        }
        catch (Exception e)
        {
            CloseFiles();
            return ValueTask.FromException<LogRecovery>(e);
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        using var call = Enter();
        if (entries.Count == 0)
        {
            return default;
        }

        StorageRules.ValidateAppend(entries, _startIndex, _lastIndex);
        try
        {
            AppendCore(entries);
            return default;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <inheritdoc />
    public ValueTask CompactAsync(long index, long term, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(term);
        cancellationToken.ThrowIfCancellationRequested();
        using var call = Enter();
        try
        {
            CompactCore(index, term);
            return default;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(long from, long toExclusive, ICollection<LogEntry> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        cancellationToken.ThrowIfCancellationRequested();
        using var call = Enter();
        StorageRules.ValidateRead(from, toExclusive, _startIndex, _lastIndex);
        try
        {
            ReadCore(from, toExclusive, destination);
            return default;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            CloseFiles();
            _lease?.Dispose();
        }

        return default;
    }

    private ValueTask Fail(Exception e)
    {
        {
            // After a failed write or sync the on-disk state is unknown (Linux may even have dropped the dirty pages and
            // report success on the next fsync), so the only safe continuation is a restart that recovers from disk.
            _failure = e;
            _writer.Reset(); // Holds no reference to the caller's payloads after a failed append.
            StorageLog.StoreFailed(_logger, _directory, e);
            return ValueTask.FromException(e);
        }
    }

    private CallScope Enter(bool opening = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (opening == _opened)
        {
            throw new InvalidOperationException(opening
                ? "The log store is already open; call OpenAsync once."
                : "The log store is not open; call OpenAsync first.");
        }

        if (_failure is not null)
        {
            throw new IOException($"The log store in '{_directory}' failed earlier and refuses further calls; restart the node to recover from disk. First failure: {_failure.Message}", _failure);
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("Log store calls overlapped: one node loop must be the only caller, awaiting each call before the next.");
        }

        return new CallScope(this);
    }

    private void CloseFiles()
    {
        foreach (var s in _segments)
        {
            s.File?.Dispose();
            s.File = null;
        }

        CloseReader();
    }

    private void CloseReader()
    {
        _reader?.File.Dispose();
        _reader = null;
    }

    private readonly struct CallScope(FileLogStore store) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref store._busy, 0);
    }
}
