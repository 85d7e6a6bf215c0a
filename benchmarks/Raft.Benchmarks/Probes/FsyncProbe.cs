using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HsmRaft.Benchmarks.Probes;

/// <summary>
/// How many durable small writes the disk under the temp directory takes per second: write 16 B, then
/// fdatasync, in a loop. This bounds any log that syncs before acknowledging, unless it batches.
/// </summary>
public static partial class FsyncProbe
{
    private const int RecordBytes = 16;
    private const int PreallocatedBytes = 1 << 20;

    public static IReadOnlyList<ProbeResult> Run(string directory, TimeSpan duration)
    {
        Directory.CreateDirectory(directory);
        var files = new List<SafeFileHandle>();
        try
        {
            return
            [
                // Appending grows the file, so fdatasync must also write the new size (like a log without preallocation).
                ProbeResult.Measure("append 16 B + fdatasync, 1 file", 1, duration, _ => AppendLoop(Open(directory, files))),
                // Overwriting inside preallocated space syncs only data (like a log with preallocated segments).
                ProbeResult.Measure("overwrite 16 B + fdatasync, 1 preallocated file", 1, duration, _ => OverwriteLoop(Open(directory, files))),
                // Three voters in one process share this disk; this is their combined ceiling.
                ProbeResult.Measure("append 16 B + fdatasync, 3 files in parallel", 3, duration, _ => AppendLoop(Open(directory, files))),
            ];
        }
        finally
        {
            foreach (var file in files) file.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Action AppendLoop(SafeFileHandle file)
    {
        var record = new byte[RecordBytes];
        long offset = 0;
        return () =>
        {
            RandomAccess.Write(file, record, offset);
            offset += RecordBytes;
            DataSync(file);
        };
    }

    private static Action OverwriteLoop(SafeFileHandle file)
    {
        RandomAccess.Write(file, new byte[PreallocatedBytes], 0);
        RandomAccess.FlushToDisk(file);
        var record = new byte[RecordBytes];
        long offset = 0;
        return () =>
        {
            RandomAccess.Write(file, record, offset);
            offset = (offset + RecordBytes) % PreallocatedBytes;
            DataSync(file);
        };
    }

    private static SafeFileHandle Open(string directory, List<SafeFileHandle> opened)
    {
        var file = File.OpenHandle(Path.Combine(directory, $"probe-{opened.Count}"), FileMode.CreateNew, FileAccess.ReadWrite);
        opened.Add(file);
        return file;
    }

    private static void DataSync(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file); // fsync/FlushFileBuffers: the nearest portable equivalent
            return;
        }
        if (FdataSync((int)file.DangerousGetHandle()) != 0)
            throw new IOException($"fdatasync failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(int fileDescriptor);
}
