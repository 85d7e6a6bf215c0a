using Microsoft.Extensions.Logging;

namespace HsmRaft.Storage;

/// <summary>Log messages of the file-backed stores (event ids 6000–6099).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "Recovered from a torn write: truncated the last {Bytes} byte(s) of '{Path}' from offset {Offset} (log index {Index} onward). These bytes were never acknowledged as synced.")]
    public static partial void TornTailTruncated(ILogger logger, string path, long offset, long index, long bytes);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "Removed log segment '{Path}', created just before a crash: its header was never completely written, so it held no acknowledged entries.")]
    public static partial void TornSegmentRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information,
        Message = "Removed log segment '{Path}': every entry in it is covered by the start marker at index {MarkerIndex} (a compaction was interrupted).")]
    public static partial void ObsoleteSegmentRemoved(ILogger logger, string path, long markerIndex);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning,
        Message = "Discarded the log after the start marker ({MarkerIndex}, term {MarkerTerm}): the stored entry at that index has term {StoredTerm}, so the log conflicts with the snapshot that replaced it (an interrupted compaction had already decided to discard it).")]
    public static partial void ConflictingLogDiscarded(ILogger logger, long markerIndex, long markerTerm, long storedTerm);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning,
        Message = "Ignoring unexpected file '{Path}' in the Raft storage directory.")]
    public static partial void UnknownFileIgnored(ILogger logger, string path);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information,
        Message = "Removed '{Path}', left over from a write interrupted by a crash (it was never made visible).")]
    public static partial void LeftoverRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning,
        Message = "Raft storage in '{Directory}' runs with FsyncMode.UnsafeNoSync: nothing is forced to disk, and a power loss can lose acknowledged writes. Never use this in production.")]
    public static partial void UnsafeNoSync(ILogger logger, string directory);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information,
        Message = "Opened the Raft log in '{Directory}': {SegmentCount} segment(s), start marker {MarkerIndex} (term {MarkerTerm}), last index {LastIndex}.")]
    public static partial void LogOpened(ILogger logger, string directory, int segmentCount, long markerIndex, long markerTerm, long lastIndex);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error,
        Message = "The Raft log store in '{Directory}' failed and refuses further writes until the node restarts (the state of unsynced data is unknown after an I/O error).")]
    public static partial void StoreFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information,
        Message = "Removed snapshot '{Path}', superseded by a newer durable snapshot.")]
    public static partial void OldSnapshotRemoved(ILogger logger, string path);
}
