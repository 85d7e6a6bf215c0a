namespace HsmRaft.Storage;

/// <summary>When the file-backed stores force data to stable storage.</summary>
public enum FsyncMode
{
    /// <summary>The default and the recommended mode: <c>fdatasync</c> after every append batch, hard-state save and snapshot
    /// (a full <c>fsync</c> where fdatasync does not exist). Directory entries are synced after every create, rename and delete.</summary>
    DataSync = 0,

    /// <summary>Full <c>fsync</c> everywhere (also flushes timestamps). Slower; only for file systems whose fdatasync is unreliable.</summary>
    FullSync = 1,

    /// <summary>
    /// UNSAFE FOR PRODUCTION. Never syncs: writes sit in the OS page cache, so a power loss or kernel crash can lose
    /// entries this node already acknowledged — which can make the cluster lose committed writes, elect two leaders in one
    /// term (a lost vote), or leave files that fail their checksums on restart. A killed process loses nothing
    /// (the kernel still has the data). Use only for tests and throwaway benchmarks.
    /// </summary>
    UnsafeNoSync = 2,
}

/// <summary>How log segment files reserve their space.</summary>
public enum SegmentPreallocation
{
    /// <summary>Segments grow as entries are appended.</summary>
    None = 0,

    /// <summary>
    /// The default: a new segment reserves <see cref="FileStorageOptions.SegmentSize"/> bytes up front
    /// (<c>fallocate</c>), so a full disk is reported when a segment is created rather than in the middle of a batch,
    /// and the segment is contiguous on disk. The reserved space reads as zeros.
    /// </summary>
    Reserve = 1,
}

/// <summary>Options of the file-backed stores (<see cref="FileStorage"/>). Call <see cref="Validate"/> (done by <see cref="FileStorage.Open"/>) to check them.</summary>
public sealed class FileStorageOptions
{
    /// <summary>Smallest allowed <see cref="SegmentSize"/> (1 KiB; useful in tests, too small for production).</summary>
    public const long MinSegmentSize = 1 << 10;

    /// <summary>Largest allowed <see cref="SegmentSize"/> (1 GiB).</summary>
    public const long MaxSegmentSize = 1L << 30;

    /// <summary>Default <see cref="SegmentSize"/> (64 MiB).</summary>
    public const long DefaultSegmentSize = 64L << 20;

    /// <summary>The node's data directory (required). It holds the LOCK file, <c>log/</c>, <c>state</c> and <c>snapshots/</c>;
    /// it is created when missing. Give every node its own directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Size at which the log starts a new segment file (default 64 MiB). Compaction drops whole segments, so smaller
    /// segments free disk sooner after a snapshot; larger ones mean fewer files. An entry larger than this gets a segment of its own.</summary>
    public long SegmentSize { get; set; } = DefaultSegmentSize;

    /// <summary>When data is forced to disk (default <see cref="FsyncMode.DataSync"/>). <see cref="FsyncMode.UnsafeNoSync"/> is unsafe for production.</summary>
    public FsyncMode FsyncMode { get; set; } = FsyncMode.DataSync;

    /// <summary>How segment files reserve space (default <see cref="SegmentPreallocation.Reserve"/>).</summary>
    public SegmentPreallocation Preallocation { get; set; } = SegmentPreallocation.Reserve;

    /// <summary>The file system to use; null (the default) means the real one. Tests pass a simulated disk.</summary>
    public IStorageFileSystem? FileSystem { get; set; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and gives a valid value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException(
                "FileStorageOptions.Directory is empty: set it to this node's own data directory, for example \"/var/lib/myapp/raft/node-1\".",
                nameof(Directory));
        }

        if (Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException($"FileStorageOptions.Directory '{Directory}' contains characters that are invalid in a path.", nameof(Directory));
        }

        if (SegmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            throw new ArgumentException(
                $"FileStorageOptions.SegmentSize is {SegmentSize}; use a value from {MinSegmentSize} (1 KiB) to {MaxSegmentSize} (1 GiB), " +
                $"for example {DefaultSegmentSize} (64 MiB, the default).",
                nameof(SegmentSize));
        }

        if (!Enum.IsDefined(FsyncMode))
        {
            throw new ArgumentException(
                $"FileStorageOptions.FsyncMode is {(int)FsyncMode}, which is not a defined mode; use FsyncMode.DataSync (the default) or FsyncMode.FullSync.",
                nameof(FsyncMode));
        }

        if (!Enum.IsDefined(Preallocation))
        {
            throw new ArgumentException(
                $"FileStorageOptions.Preallocation is {(int)Preallocation}, which is not a defined value; use SegmentPreallocation.Reserve (the default) or SegmentPreallocation.None.",
                nameof(Preallocation));
        }
    }
}
