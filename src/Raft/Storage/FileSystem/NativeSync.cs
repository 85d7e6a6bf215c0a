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
    private static volatile bool s_noFdatasync = !OperatingSystem.IsLinux();

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
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
