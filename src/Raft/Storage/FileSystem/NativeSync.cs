using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HsmRaft.Storage;

/// <summary>
/// fdatasync and directory fsync, which .NET does not expose. On Linux fdatasync skips the inode's timestamps, which
/// saves a journal commit per sync on ext4/xfs when the file's size does not change. Where libc is unavailable the
/// managed <see cref="RandomAccess.FlushToDisk"/> (a full fsync) is the fallback.
/// </summary>
internal static partial class NativeSync
{
    private const uint SyncFileRangeWrite = 2;
    private const int FadviseDontNeed = 4; // POSIX_FADV_DONTNEED on Linux.
    private static volatile bool s_noFdatasync = !OperatingSystem.IsLinux();
    private static bool s_noSyncFileRange = !OperatingSystem.IsLinux();
    // 64-bit only: glibc's 32-bit posix_fadvise takes a 32-bit off_t, which the 64-bit arguments below would not match.
    private static bool s_noFadvise = !OperatingSystem.IsLinux() || !Environment.Is64BitProcess;

    public static void SyncFile(SafeFileHandle handle, bool dataOnly, string path)
    {
        if (dataOnly && !s_noFdatasync)
        {
            try
            {
                if (fdatasync(handle) == 0)
                {
                    return;
                }

                ThrowErrno("fdatasync", path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_noFdatasync = true;
            }
        }

        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Starts writeback of a range (SYNC_FILE_RANGE_WRITE). Only a hint: failures are ignored here because the
    /// fdatasync that follows reports any real I/O error.</summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long count) =>
        Hint(ref s_noSyncFileRange, (handle, offset, count), static r => sync_file_range(r.Handle, r.Offset, r.Count, SyncFileRangeWrite));

    /// <summary>Asks the kernel to drop a synced range from the page cache (POSIX_FADV_DONTNEED). Only a hint: failures are
    /// ignored, because the data is already on disk either way.</summary>
    public static void DropCache(SafeFileHandle handle, long offset, long count) =>
        Hint(ref s_noFadvise, (handle, offset, count), static r => posix_fadvise(r.Handle, r.Offset, r.Count, FadviseDontNeed));

    /// <summary>Makes an optional libc call whose result does not matter, and stops trying once libc turns out to lack it.
    /// (The flag is written at most once, from false to true; a racing caller at worst tries once more.)</summary>
    private static void Hint(ref bool unavailable, (SafeFileHandle Handle, long Offset, long Count) range, Func<(SafeFileHandle Handle, long Offset, long Count), int> call)
    {
        if (unavailable)
        {
            return;
        }

        try
        {
            _ = call(range);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    /// <summary>flock(LOCK_EX | LOCK_NB) on Unix; true elsewhere (Windows share modes already lock the file).</summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const int LockExclusive = 2, LockNonBlocking = 4; // Same values on Linux, macOS and the BSDs.
        try
        {
            return flock(handle, LockExclusive | LockNonBlocking) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return true; // No libc flock: rely on the runtime's share-mode lock.
        }
    }

    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS cannot open a directory for flushing through this API and journals metadata changes itself.
            return;
        }

        // O_RDONLY (0) opens a directory on every Unix; fsync on that descriptor persists its entries (rename, unlink, create).
        var fd = open(path, 0);
        if (fd < 0)
        {
            ThrowErrno("open (directory)", path);
        }

        try
        {
            if (fsync(fd) != 0)
            {
                ThrowErrno("fsync (directory)", path);
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static void ThrowErrno(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{call} failed on '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(SafeFileHandle fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [DllImport("libc")]
    private static extern int posix_fadvise(SafeFileHandle fd, long offset, long len, int advice);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(SafeFileHandle fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
