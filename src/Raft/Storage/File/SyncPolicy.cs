namespace HsmRaft.Storage;

/// <summary>Applies <see cref="FsyncMode"/> to file and directory syncs, in one place so no store can forget it.</summary>
internal readonly struct SyncPolicy(FsyncMode mode)
{
    public FsyncMode Mode { get; } = mode;

    public void SyncFile(IStorageFile file)
    {
        switch (Mode)
        {
            case FsyncMode.DataSync:
                file.Sync(dataOnly: true);
                break;
            case FsyncMode.FullSync:
                file.Sync(dataOnly: false);
                break;
        }
    }

    public void SyncDirectory(IStorageFileSystem fs, string directory)
    {
        if (Mode != FsyncMode.UnsafeNoSync)
        {
            fs.SyncDirectory(directory);
        }
    }
}
