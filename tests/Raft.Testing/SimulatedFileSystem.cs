using HsmRaft.Storage;

namespace HsmRaft.Testing;

/// <summary>
/// A deterministic in-memory disk with POSIX durability semantics, for crash tests and the cluster simulator.
/// Each file keeps its durable image and the writes and truncations made since its last sync; each directory entry
/// (create, rename, delete) is durable only after <see cref="SyncDirectory"/>. <see cref="Crash"/> models a power loss:
/// unsynced state is dropped, or partly kept (torn or reordered sector writes) as chosen by <see cref="CrashMode"/> and the seed.
/// Everything completes synchronously and all choices come from the seed, so a run replays exactly.
/// Directories themselves are durable as soon as they are created (the stores create them once, at open).
/// </summary>
/// <remarks>
/// To run a node on it: create one instance per node (or share one and give each node its own directory), pass it as
/// <see cref="FileStorageOptions.FileSystem"/> to <see cref="FileStorage.Open"/>. To crash the node: stop using its stores,
/// call <see cref="Crash"/>, and open a new <see cref="FileStorage"/> over the same instance.
/// </remarks>
public sealed partial class SimulatedFileSystem : IStorageFileSystem
{
    /// <summary>The unit of torn writes.</summary>
    public const int SectorSize = 512;

    private readonly Random _random;
    private readonly SortedDictionary<string, Inode> _names = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Inode> _durableNames = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private int _generation;
    private bool _halted;

    /// <summary>Creates an empty disk whose crash choices come from <paramref name="seed"/>.</summary>
    public SimulatedFileSystem(int seed) => _random = new Random(seed);

    /// <summary>Mutating calls performed so far (create, write, set-length, sync, delete, rename, directory sync).</summary>
    public long MutationCount { get; private set; }

    /// <summary>When set, the mutating call with this sequence number (0-based) and every call after it throw
    /// <see cref="SimulatedCrashException"/> without taking effect, until <see cref="Crash"/>.</summary>
    public long? CrashAtMutation { get; set; }

    /// <summary>Called before every operation; returning an exception makes the call throw it without taking effect
    /// (for example an <see cref="IOException"/> for a failed fsync or a full disk).</summary>
    public Func<SimulatedOperation, Exception?>? FaultInjector { get; set; }

    /// <summary>Number of completed file syncs (fsync/fdatasync).</summary>
    public long SyncCount { get; private set; }

    /// <summary>Number of <see cref="IStorageFile.DropCache"/> calls (each checked to cover only synced bytes).</summary>
    public long CacheDropCount { get; private set; }

    /// <summary>Number of completed directory syncs.</summary>
    public long DirectorySyncCount { get; private set; }

    /// <summary>True after a crash point was reached and before <see cref="Crash"/>.</summary>
    public bool IsHalted => _halted;

    /// <summary>
    /// Simulates a power loss and reboot: unsynced data and directory changes are lost or partly kept according to
    /// <paramref name="mode"/>, every open file handle becomes invalid, every lock is released, and the disk accepts calls again.
    /// </summary>
    public void Crash(CrashMode mode)
    {
        var inodes = _names.Values.Concat(_durableNames.Values).Distinct().ToList();
        foreach (var inode in inodes)
        {
            inode.Reboot(mode, _random);
        }

        _names.Clear();
        foreach (var (name, inode) in _durableNames)
        {
            _names[name] = inode;
        }

        _locks.Clear();
        _generation++;
        _halted = false;
        CrashAtMutation = null;
    }

    /// <summary>The paths of every file, sorted.</summary>
    public IReadOnlyList<string> AllFiles() => [.. _names.Keys];

    /// <summary>A copy of a file's current content.</summary>
    public byte[] ReadAllBytes(string path) => Find(path).Current.ToArray();

    /// <summary>Replaces a file's content durably (for tests that craft or damage files).</summary>
    public void WriteAllBytes(string path, byte[] content)
    {
        if (!_names.TryGetValue(path, out var inode))
        {
            inode = new Inode();
            _names[path] = inode;
        }

        _durableNames[path] = inode;
        inode.Replace(content);
    }

    /// <summary>Flips bits of one byte in place, durably (a disk error).</summary>
    public void CorruptByte(string path, long offset, byte xorMask)
    {
        var bytes = ReadAllBytes(path);
        bytes[offset] ^= xorMask;
        WriteAllBytes(path, bytes);
    }

    private Inode Find(string path) =>
        _names.TryGetValue(path, out var inode) ? inode : throw new FileNotFoundException($"Simulated file '{path}' does not exist.", path);

    private void Check(SimulatedOperationKind kind, string path)
    {
        var op = new SimulatedOperation(kind, path, MutationCount);
        if (_halted)
        {
            throw new SimulatedCrashException();
        }

        if (op.IsMutation && CrashAtMutation == MutationCount)
        {
            _halted = true;
            throw new SimulatedCrashException();
        }

        if (FaultInjector?.Invoke(op) is { } fault)
        {
            throw fault;
        }

        if (op.IsMutation)
        {
            MutationCount++;
        }
    }

    private static string DirectoryOf(string path) => Path.GetDirectoryName(path) ?? "";
}
