using HsmRaft.Storage;

namespace HsmRaft.Testing;

public sealed partial class SimulatedFileSystem
{
    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        Check(SimulatedOperationKind.Open, path);
        for (var dir = path; !string.IsNullOrEmpty(dir); dir = DirectoryOf(dir))
        {
            _directories.Add(dir);
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        Check(SimulatedOperationKind.List, path);
        return _names.ContainsKey(path);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        Check(SimulatedOperationKind.List, directory);
        return [.. _names.Keys.Where(p => DirectoryOf(p) == directory).Select(Path.GetFileName).Select(n => n!)];
    }

    /// <inheritdoc />
    public IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        var creates = mode is StorageFileMode.CreateNew or StorageFileMode.Create;
        Check(creates ? SimulatedOperationKind.Create : SimulatedOperationKind.Open, path);
        if (!_directories.Contains(DirectoryOf(path)))
        {
            throw new DirectoryNotFoundException($"Simulated directory '{DirectoryOf(path)}' does not exist.");
        }

        var exists = _names.TryGetValue(path, out var inode);
        switch (mode)
        {
            case StorageFileMode.CreateNew when exists:
                throw new IOException($"Simulated file '{path}' already exists.");
            case StorageFileMode.OpenExisting or StorageFileMode.OpenRead when !exists:
                throw new FileNotFoundException($"Simulated file '{path}' does not exist.", path);
            case StorageFileMode.Create when exists:
                inode!.SetLength(0);
                break;
        }

        if (!exists)
        {
            inode = new Inode();
            _names[path] = inode; // Durable only after SyncDirectory.
        }

        return new SimulatedFile(this, path, inode!, readOnly: mode == StorageFileMode.OpenRead);
    }

    /// <inheritdoc />
    public void DeleteFile(string path)
    {
        Check(SimulatedOperationKind.Delete, path);
        _names.Remove(path);
    }

    /// <inheritdoc />
    public void RenameFile(string source, string destination)
    {
        Check(SimulatedOperationKind.Rename, source);
        var inode = Find(source);
        _names.Remove(source);
        _names[destination] = inode;
    }

    /// <inheritdoc />
    public void SyncDirectory(string path)
    {
        Check(SimulatedOperationKind.SyncDirectory, path);
        foreach (var name in _durableNames.Keys.Where(p => DirectoryOf(p) == path).ToList())
        {
            _durableNames.Remove(name);
        }

        foreach (var (name, inode) in _names.Where(kv => DirectoryOf(kv.Key) == path))
        {
            _durableNames[name] = inode;
        }

        DirectorySyncCount++;
    }

    /// <inheritdoc />
    public IDisposable Lock(string lockFilePath)
    {
        Check(SimulatedOperationKind.Lock, lockFilePath);
        if (!_locks.Add(lockFilePath))
        {
            throw new StorageLockedException(lockFilePath, "another simulated store");
        }

        var generation = _generation;
        return new LockHandle(() =>
        {
            if (generation == _generation)
            {
                _locks.Remove(lockFilePath);
            }
        });
    }

    private sealed class LockHandle(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose()
        {
            _release?.Invoke();
            _release = null;
        }
    }

    private sealed class SimulatedFile(SimulatedFileSystem fs, string path, Inode inode, bool readOnly) : IStorageFile
    {
        private readonly int _generation = fs._generation;
        private bool _disposed;

        public string Path { get; } = path;

        public long Length
        {
            get
            {
                Valid();
                return inode.Length;
            }
        }

        public int Read(long offset, Span<byte> buffer)
        {
            Valid();
            fs.Check(SimulatedOperationKind.Read, Path);
            return inode.Read(offset, buffer);
        }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            Writable();
            fs.Check(SimulatedOperationKind.Write, Path);
            inode.Write(offset, data);
        }

        public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            // One call, one crash point, like pwritev; what a crash keeps of it is decided per sector, as for any write.
            Writable();
            fs.Check(SimulatedOperationKind.Write, Path);
            var data = new byte[buffers.Sum(b => (long)b.Length)];
            var at = 0;
            foreach (var buffer in buffers)
            {
                buffer.Span.CopyTo(data.AsSpan(at));
                at += buffer.Length;
            }

            inode.Write(offset, data);
        }

        public void SetLength(long length)
        {
            Writable();
            fs.Check(SimulatedOperationKind.SetLength, Path);
            inode.SetLength(length);
        }

        public void Sync(bool dataOnly)
        {
            Valid();
            fs.Check(SimulatedOperationKind.Sync, Path);
            inode.Sync();
            fs.SyncCount++;
        }

        public void DropCache(long offset, long count)
        {
            // Changes nothing on a disk without a page cache, but a store that drops bytes it has not synced yet has lost
            // track of what is durable: on Linux that range would be written back now, outside the store's sync order.
            Valid();
            if (inode.HasUnsyncedChanges(offset, count))
            {
                throw new InvalidOperationException($"DropCache on '{Path}' at {offset} (+{count}) covers bytes changed since the file's last sync: only synced data may be dropped.");
            }

            fs.CacheDropCount++;
        }

        public void Dispose() => _disposed = true;

        private void Valid()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_generation != fs._generation)
            {
                throw new IOException($"The handle of '{Path}' was opened before a simulated crash and is no longer valid.");
            }
        }

        private void Writable()
        {
            Valid();
            if (readOnly)
            {
                throw new UnauthorizedAccessException($"'{Path}' was opened read-only.");
            }
        }
    }
}
