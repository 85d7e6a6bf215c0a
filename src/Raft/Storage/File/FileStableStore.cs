using System.Buffers.Binary;
using HsmRaft.Storage.Format;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Storage;

/// <summary>
/// Persists <see cref="PersistentState"/> in the file <c>state</c>: written to <c>state.tmp</c>, synced, renamed over
/// <c>state</c>, directory synced. After a crash the file holds the old or the new state; any checksum failure is damage
/// and is reported, never repaired by falling back to an older state (which could make this node vote twice in one term).
/// Payload: term i64 | voted-for u64 | commit i64 | configuration length u32 | configuration (<see cref="ClusterConfiguration.Encode"/>).
/// </summary>
public sealed class FileStableStore : IRaftStableStore
{
    private const string FileName = "state";
    private readonly IStorageFileSystem _fs;
    private readonly string _path;
    private readonly SyncPolicy _sync;
    private readonly ILogger _logger;
    private readonly DirectoryLock.DirectoryLease? _lease;
    private PersistentState? _saved;
    private bool _disposed;

    internal FileStableStore(FileStorageOptions options, string directory, ILogger logger, DirectoryLock.DirectoryLease? lease)
    {
        _fs = options.FileSystem ?? PhysicalStorageFileSystem.Instance;
        _path = Path.Combine(directory, FileName);
        _sync = new SyncPolicy(options.FsyncMode);
        _logger = logger;
        _lease = lease;
    }

    /// <inheritdoc />
    public ValueTask<PersistentState?> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            var temp = _path + ".tmp";
            if (_fs.FileExists(temp))
            {
                StorageLog.LeftoverRemoved(_logger, temp);
                _fs.DeleteFile(temp);
            }

            var payload = ChecksummedFile.Read(_fs, _path, FileMagic.HardState, "hard state");
            _saved = payload is null ? null : Decode(payload);
            return ValueTask.FromResult(_saved);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<PersistentState?>(e);
        }
    }

    /// <inheritdoc />
    /// <remarks>Saving a state equal to the last one saved or loaded returns at once: it is already durable.</remarks>
    public ValueTask SaveAsync(PersistentState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (state.HardState.Term < 0 || state.HardState.Commit < 0)
        {
            throw new ArgumentException($"The hard state {state.HardState} has a negative term or commit index.", nameof(state));
        }

        if (state == _saved)
        {
            return default;
        }

        try
        {
            ChecksummedFile.WriteAtomically(_fs, _path, FileMagic.HardState, Encode(state), _sync);
            _saved = state;
            return default;
        }
        catch (Exception e)
        {
            _saved = null; // Unknown on disk now: never skip the next save.
            return ValueTask.FromException(e);
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

    private static byte[] Encode(PersistentState state)
    {
        var config = state.Configuration.Encode();
        var bytes = new byte[28 + config.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, state.HardState.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), state.HardState.VotedFor.Value);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), state.HardState.Commit);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), config.Length);
        config.CopyTo(bytes.AsSpan(28));
        return bytes;
    }

    private PersistentState Decode(byte[] payload)
    {
        if (payload.Length < 28)
        {
            throw new StorageCorruptedException(_path, 16, null, $"the hard state payload is {payload.Length} bytes, shorter than its 28-byte minimum");
        }

        var term = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var vote = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(8));
        var commit = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(16));
        var configLength = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(24));
        if (term < 0 || commit < 0 || configLength != payload.Length - 28)
        {
            throw new StorageCorruptedException(_path, 16, null, "the hard state holds a negative term or commit index, or a wrong configuration length");
        }

        try
        {
            return new PersistentState(new HardState(term, new NodeId(vote), commit), ClusterConfiguration.Decode(payload.AsSpan(28)));
        }
        catch (InvalidDataException e)
        {
            throw new StorageCorruptedException(_path, 16 + 28, null, "the hard state's configuration cannot be decoded: " + e.Message);
        }
    }
}
