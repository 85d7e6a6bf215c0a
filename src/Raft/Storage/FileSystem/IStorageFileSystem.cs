namespace HsmRaft.Storage;

/// <summary>How <see cref="IStorageFileSystem.OpenFile"/> opens a file.</summary>
public enum StorageFileMode
{
    /// <summary>Creates a new file; fails when it already exists.</summary>
    CreateNew,

    /// <summary>Creates the file, or empties it when it exists.</summary>
    Create,

    /// <summary>Opens an existing file for reading and writing; fails when it does not exist.</summary>
    OpenExisting,

    /// <summary>Opens an existing file for reading only; fails when it does not exist.</summary>
    OpenRead,
}

/// <summary>
/// The few file-system operations the file-backed stores need, so that tests and the deterministic simulator can
/// substitute a simulated disk that loses unsynced data on a "crash". Every call completes synchronously: the
/// stores run on the node's persistence loop, and a simulated disk must behave the same on every run of a seed.
/// </summary>
/// <remarks>
/// Durability contract the stores rely on (POSIX semantics): data written to a file survives a crash only after
/// <see cref="IStorageFile.Sync"/> on that file returns; a created, renamed or deleted name survives only after
/// <see cref="SyncDirectory"/> on its directory returns. Nothing else is assumed about ordering.
/// </remarks>
public interface IStorageFileSystem
{
    /// <summary>Creates a directory (and its parents) when it does not exist.</summary>
    void CreateDirectory(string path);

    /// <summary>True when a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>The names (not paths) of the files directly inside <paramref name="directory"/>, sorted ordinally.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Opens a file. <paramref name="preallocationSize"/> (for new files) asks the file system to reserve that
    /// many bytes up front; the file's length stays 0 and the reserved space reads as zeros.</summary>
    IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0);

    /// <summary>Deletes a file; does nothing when it does not exist. Durable after <see cref="SyncDirectory"/>.</summary>
    void DeleteFile(string path);

    /// <summary>Atomically renames a file, replacing <paramref name="destination"/> when it exists. Durable after <see cref="SyncDirectory"/>.</summary>
    void RenameFile(string source, string destination);

    /// <summary>Makes the directory's entries (creations, renames, deletions) durable (fsync of the directory).</summary>
    void SyncDirectory(string path);

    /// <summary>Takes an exclusive lock on <paramref name="lockFilePath"/> that other processes (and other callers in this
    /// process) cannot take until the returned handle is disposed or the process exits.</summary>
    /// <exception cref="StorageLockedException">Someone else holds the lock.</exception>
    IDisposable Lock(string lockFilePath);
}

/// <summary>An open file of an <see cref="IStorageFileSystem"/>. Positional reads and writes; not thread-safe.</summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The file's path.</summary>
    string Path { get; }

    /// <summary>The file's current length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns how many were read (0 at the end).</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, extending the file when needed. Not durable until <see cref="Sync"/>.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Writes <paramref name="buffers"/> one after another from <paramref name="offset"/> on (a gathered write, Unix
    /// <c>pwritev</c>), so that data kept in several places reaches the file without first being copied together. Like
    /// <see cref="Write(long, ReadOnlySpan{byte})"/>: not durable until <see cref="Sync"/>, and a crash before then may keep
    /// any part of it. The default writes each buffer in turn.</summary>
    void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        for (var i = 0; i < buffers.Count; i++)
        {
            Write(offset, buffers[i].Span);
            offset += buffers[i].Length;
        }
    }

    /// <summary>Sets the file's length (truncating or zero-extending). Not durable until <see cref="Sync"/>.</summary>
    void SetLength(long length);

    /// <summary>A hint to start writing the given range to disk now, without waiting (Linux <c>sync_file_range</c>), so that
    /// the disk works while the caller prepares the next bytes of a large batch. Promises nothing about durability; the
    /// default does nothing.</summary>
    void StartWriteback(long offset, long count)
    {
    }

    /// <summary>A hint that the given range, already synced, will not be read again soon, so the OS may drop it from its page
    /// cache (Linux <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>). A write-ahead log reads its data back only at recovery; keeping
    /// it cached makes every new write take fresh memory from the kernel, which on some virtual machines costs more than
    /// the disk write itself. Changes no content and promises nothing; the default does nothing.</summary>
    void DropCache(long offset, long count)
    {
    }

    /// <summary>Makes everything written so far durable. <paramref name="dataOnly"/> allows fdatasync (skips metadata not needed to
    /// read the data back, such as modification times); false forces a full fsync.</summary>
    void Sync(bool dataOnly);
}
