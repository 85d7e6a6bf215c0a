namespace HsmRaft.Storage.Tests;

/// <summary>Passes every call to another file system; tests override <see cref="OpenFile"/> to watch or interfere.</summary>
internal abstract class DelegatingFileSystem(IStorageFileSystem inner) : IStorageFileSystem
{
    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public bool FileExists(string path) => inner.FileExists(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public virtual IStorageFile OpenFile(string path, StorageFileMode mode, long preallocationSize = 0) => inner.OpenFile(path, mode, preallocationSize);

    public void DeleteFile(string path) => inner.DeleteFile(path);

    public void RenameFile(string source, string destination) => inner.RenameFile(source, destination);

    public void SyncDirectory(string path) => inner.SyncDirectory(path);

    public IDisposable Lock(string lockFilePath) => inner.Lock(lockFilePath);
}
