using Microsoft.Win32.SafeHandles;

namespace HsmRaft.Storage;

/// <summary>
/// The real file system. Data syncs use <c>fdatasync(2)</c> on Linux and <see cref="RandomAccess.FlushToDisk"/>
/// (<c>fsync</c>, or <c>FlushFileBuffers</c> on Windows) elsewhere; directory syncs use <c>fsync(2)</c> on a directory
/// descriptor on Unix and are a no-op on Windows, whose NTFS journals directory changes itself.
/// </summary>
public sealed class PhysicalStorageFileSystem : IStorageFileSystem
{
    /// <summary>The shared instance (the type has no state).</summary>
    public static PhysicalStorageFileSystem Instance { get; } = new();

    /// <inheritdoc />
    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = Directory.GetFiles(directory).Select(p => System.IO.Path.GetFileName(p)).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        var (fileMode, access) = mode switch
        {
            StorageFileMode.CreateNew => (FileMode.CreateNew, FileAccess.ReadWrite),
            StorageFileMode.Create => (FileMode.Create, FileAccess.ReadWrite),
            StorageFileMode.OpenExisting => (FileMode.Open, FileAccess.ReadWrite),
            StorageFileMode.OpenRead => (FileMode.Open, FileAccess.Read),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown StorageFileMode."),
        };

        // FileShare.Delete lets compaction remove a segment or snapshot while a reader still has it open.
        var share = FileShare.ReadWrite | FileShare.Delete;
        var prealloc = fileMode is FileMode.CreateNew or FileMode.Create ? preallocationSize : 0;
        var handle = File.OpenHandle(path, fileMode, access, share, FileOptions.None, prealloc);
        return new PhysicalStorageFile(path, handle);
    }

    /// <inheritdoc />
    public void DeleteFile(string path) => File.Delete(path);

    /// <inheritdoc />
    public void RenameFile(string source, string destination) => File.Move(source, destination, overwrite: true);

    /// <inheritdoc />
    public void SyncDirectory(string path) => NativeSync.SyncDirectory(path);

    /// <inheritdoc />
    public IDisposable Lock(string lockFilePath)
    {
        SafeFileHandle handle;
        try
        {
            // On Unix .NET implements FileShare.None with flock(LOCK_EX | LOCK_NB): the kernel drops the lock when the
            // process dies, so a killed node never leaves a stale lock behind. On Windows it is a sharing-mode lock.
            handle = File.OpenHandle(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StorageLockedException(lockFilePath, ReadHolder(lockFilePath), e);
        }

        try
        {
            // .NET's own lock is skipped when DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set; take it explicitly as well
            // (flock on a descriptor that already holds it is a no-op).
            if (!NativeSync.TryLockExclusive(handle))
            {
                throw new StorageLockedException(lockFilePath, ReadHolder(lockFilePath));
            }

            // Who holds the lock, for the error another process gets. A separate file, because the locked one cannot be
            // opened again while locked; it is informational only, the lock itself is the kernel's.
            File.WriteAllText(lockFilePath + ".owner", $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTimeOffset.UtcNow:O}");
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return handle;
    }

    private static string? ReadHolder(string lockFilePath)
    {
        try
        {
            return File.ReadAllText(lockFilePath + ".owner");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed class PhysicalStorageFile(string path, SafeFileHandle handle) : IStorageFile
    {
        public string Path { get; } = path;

        public long Length => RandomAccess.GetLength(handle);

        public int Read(long offset, Span<byte> buffer) => RandomAccess.Read(handle, buffer, offset);

        public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

        public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers) => RandomAccess.Write(handle, buffers, offset);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Sync(bool dataOnly) => NativeSync.SyncFile(handle, dataOnly, Path);

        public void StartWriteback(long offset, long count) => NativeSync.StartWriteback(handle, offset, count);

        public void DropCache(long offset, long count) => NativeSync.DropCache(handle, offset, count);

        public void Dispose() => handle.Dispose();
    }
}
