using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HsmRaft.Storage;

/// <summary>
/// The embedded durable storage of one node: a <see cref="FileLogStore"/>, a <see cref="FileStableStore"/> and a
/// <see cref="FileSnapshotStore"/> under one data directory, guarded by one lock file so that two processes can never open
/// the same node's files. Layout: <c>LOCK</c>, <c>log/</c> (segments and the start marker), <c>state</c> (hard state) and
/// <c>snapshots/</c>. See docs/storage.md for the formats and the recovery procedure.
/// </summary>
/// <example>
/// <code>
/// await using var storage = FileStorage.Open(new FileStorageOptions { Directory = "/var/lib/app/raft" }, logger);
/// var log = await storage.Log.OpenAsync();
/// </code>
/// </example>
public sealed class FileStorage : IAsyncDisposable
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string LockFileName = "LOCK";

    private const string LogDirectoryName = "log";
    private const string SnapshotDirectoryName = "snapshots";

    private FileStorage(string directory, FileLogStore log, FileStableStore stable, FileSnapshotStore snapshots)
    {
        Directory = directory;
        Log = log;
        Stable = stable;
        Snapshots = snapshots;
    }

    /// <summary>The data directory.</summary>
    public string Directory { get; }

    /// <summary>The Raft log. Call <see cref="IRaftLogStore.OpenAsync"/> before use.</summary>
    public FileLogStore Log { get; }

    /// <summary>The hard state (term, vote, commit index, configuration).</summary>
    public FileStableStore Stable { get; }

    /// <summary>The snapshots. Call <see cref="ISnapshotStore.OpenAsync"/> before use.</summary>
    public FileSnapshotStore Snapshots { get; }

    /// <summary>
    /// Validates the options, creates the data directory when missing, and takes its lock. The stores are returned closed:
    /// open each (recovery happens there). The lock is released when all three stores are disposed, directly or through
    /// <see cref="DisposeAsync"/>.
    /// </summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="logger">Receives torn-write repairs and other recovery events; null for none.</param>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="StorageLockedException">Another process (or another <see cref="FileStorage"/>) has the directory open.</exception>
    public static FileStorage Open(FileStorageOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        var fs = options.FileSystem ?? PhysicalStorageFileSystem.Instance;
        var directory = options.FileSystem is null ? Path.GetFullPath(options.Directory) : options.Directory;
        fs.CreateDirectory(directory);
        var handle = fs.Lock(Path.Combine(directory, LockFileName));
        try
        {
            CreateDurableDirectories(fs, directory, options.FsyncMode);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        if (options.FsyncMode == FsyncMode.UnsafeNoSync)
        {
            StorageLog.UnsafeNoSync(logger, directory);
        }

        var shared = new DirectoryLock(handle, holders: 3);
        return new FileStorage(
            directory,
            new FileLogStore(options, Path.Combine(directory, LogDirectoryName), logger, shared.Lease()),
            new FileStableStore(options, directory, logger, shared.Lease()),
            new FileSnapshotStore(options, Path.Combine(directory, SnapshotDirectoryName), logger, shared.Lease()));
    }

    /// <summary>
    /// Creates <c>log/</c> and <c>snapshots/</c> and syncs the data directory and its parent, so that the directories
    /// themselves survive a power loss: syncing a file or a directory does not make that directory's own name durable.
    /// </summary>
    private static void CreateDurableDirectories(IStorageFileSystem fs, string directory, FsyncMode mode)
    {
        fs.CreateDirectory(Path.Combine(directory, LogDirectoryName));
        fs.CreateDirectory(Path.Combine(directory, SnapshotDirectoryName));
        if (mode == FsyncMode.UnsafeNoSync)
        {
            return;
        }

        fs.SyncDirectory(directory);
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory)) is { Length: > 0 } parent)
        {
            try
            {
                fs.SyncDirectory(parent);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The parent may not be ours to open; the data directory existed or was created by a deployment step.
            }
        }
    }

    /// <summary>Disposes the three stores, which releases the directory lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync().ConfigureAwait(false);
        await Stable.DisposeAsync().ConfigureAwait(false);
        await Snapshots.DisposeAsync().ConfigureAwait(false);
    }
}
