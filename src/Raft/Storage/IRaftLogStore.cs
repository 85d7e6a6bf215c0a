namespace HsmRaft.Storage;

/// <summary>What a log store holds when it is opened.</summary>
/// <param name="SnapshotIndex">Index of the last entry compacted away (the start marker); 0 for a log that was never compacted.</param>
/// <param name="SnapshotTerm">Term of the entry at <paramref name="SnapshotIndex"/>; 0 when that index is 0.</param>
/// <param name="Entries">The entries after the start marker, contiguous from <paramref name="SnapshotIndex"/> + 1.</param>
public sealed record LogRecovery(long SnapshotIndex, long SnapshotTerm, IReadOnlyList<LogEntry> Entries);

/// <summary>
/// The durable Raft log. The core keeps the entries after the latest snapshot in memory and drives the store
/// through its output (entries to append, truncations, compactions); the store makes them durable and gives
/// them back on restart. One node's loop is the only caller; calls never overlap.
/// </summary>
public interface IRaftLogStore : IAsyncDisposable
{
    /// <summary>Opens the log, recovering from a crash: a torn final record is discarded (and logged); any other damage
    /// throws <see cref="StorageCorruptedException"/>. Must be called once before anything else.</summary>
    ValueTask<LogRecovery> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>Index of the last entry in the log, or the start marker when the log is empty.</summary>
    long LastIndex { get; }

    /// <summary>
    /// Appends entries and makes them durable (fsync) before completing. <paramref name="entries"/> is contiguous;
    /// when its first index is at or below <see cref="LastIndex"/>, the stored suffix from that index is replaced
    /// (conflict truncation, Raft §5.3). The first index must be at most <see cref="LastIndex"/> + 1 and above the start marker.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops every entry up to and including <paramref name="index"/> because a durable snapshot covers it, and records
    /// (<paramref name="index"/>, <paramref name="term"/>) as the new start marker. When <paramref name="index"/> is at or past
    /// <see cref="LastIndex"/> the log becomes empty and the next append starts at <paramref name="index"/> + 1. When the
    /// stored entry at <paramref name="index"/> has a term other than <paramref name="term"/>, the log conflicts with the
    /// snapshot and is emptied as well (Raft Figure 13, step 7). An <paramref name="index"/> at or below the current start
    /// marker does nothing.
    /// </summary>
    ValueTask CompactAsync(long index, long term, CancellationToken cancellationToken = default);

    /// <summary>Reads the entries with indexes in [<paramref name="from"/>, <paramref name="toExclusive"/>) into <paramref name="destination"/>.</summary>
    ValueTask ReadAsync(long from, long toExclusive, ICollection<LogEntry> destination, CancellationToken cancellationToken = default);
}
