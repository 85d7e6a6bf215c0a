namespace HsmRaft.Storage;

/// <summary>
/// Stored data failed a checksum or structural check. The node refuses to start rather than serve damaged data.
/// The message names the file, the byte offset and (where known) the log index, and how to recover.
/// </summary>
public sealed class StorageCorruptedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StorageCorruptedException(string path, long offset, long? logIndex, string problem)
        : base(BuildMessage(path, offset, logIndex, problem))
    {
        Path = path;
        Offset = offset;
        LogIndex = logIndex;
    }

    /// <summary>The damaged file.</summary>
    public string Path { get; }

    /// <summary>Byte offset of the damage in <see cref="Path"/>.</summary>
    public long Offset { get; }

    /// <summary>The log index of the damaged record, when known.</summary>
    public long? LogIndex { get; }

    private static string BuildMessage(string path, long offset, long? logIndex, string problem) =>
        $"Corrupt Raft storage in '{path}' at byte offset {offset}" +
        (logIndex is { } i ? $" (log index {i})" : "") +
        $": {problem}. The node will not start on damaged data. To recover, stop this node, move its data directory aside, " +
        "and restart it empty so it catches up from the leader (its peers hold the committed log); see docs/storage.md#recovery.";
}
