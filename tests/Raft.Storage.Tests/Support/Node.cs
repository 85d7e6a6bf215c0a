namespace HsmRaft.Storage.Tests;

/// <summary>One node's storage over a simulated (or real) disk, reopened as often as a test likes.</summary>
internal sealed class Node(IStorageFileSystem? fs, string directory, long segmentSize = 4096, SegmentPreallocation preallocation = SegmentPreallocation.None)
{
    public ListLogger Logger { get; } = new();

    public FileStorage? Storage { get; private set; }

    public FileLogStore Log => Storage!.Log;

    public FileStorageOptions Options => new()
    {
        Directory = directory,
        SegmentSize = segmentSize,
        Preallocation = preallocation,
        FileSystem = fs,
    };

    /// <summary>Opens all three stores and returns the log's recovery.</summary>
    public async Task<LogRecovery> OpenAsync()
    {
        Storage = FileStorage.Open(Options, Logger);
        try
        {
            await Storage.Snapshots.OpenAsync();
            return await Storage.Log.OpenAsync();
        }
        catch
        {
            await CloseAsync();
            throw;
        }
    }

    public async Task<LogRecovery> ReopenAsync()
    {
        await CloseAsync();
        return await OpenAsync();
    }

    public async Task CloseAsync()
    {
        if (Storage is { } s)
        {
            Storage = null;
            await s.DisposeAsync();
        }
    }

    public async Task<List<LogEntry>> ReadAllAsync()
    {
        var list = new List<LogEntry>();
        await Log.ReadAsync(Log.StartIndex + 1, Log.LastIndex + 1, list);
        return list;
    }
}
