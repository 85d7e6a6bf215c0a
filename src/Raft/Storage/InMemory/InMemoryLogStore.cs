namespace HsmRaft.Storage;

/// <summary>
/// A log kept in memory, for tests and the simulator. Every acknowledged call is "durable" for as long as the instance
/// lives: reopening the same instance (a simulated restart) returns what was appended. Payloads are copied on append.
/// </summary>
public sealed class InMemoryLogStore : IRaftLogStore
{
    private readonly List<LogEntry> _entries = [];
    private long _startIndex;
    private long _startTerm;

    /// <inheritdoc />
    public long LastIndex => _startIndex + _entries.Count;

    /// <summary>Index of the last entry compacted away (the start marker).</summary>
    public long StartIndex => _startIndex;

    /// <summary>Term of the entry at <see cref="StartIndex"/>.</summary>
    public long StartTerm => _startTerm;

    /// <inheritdoc />
    /// <remarks>May be called again after use to model a restart.</remarks>
    public ValueTask<LogRecovery> OpenAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new LogRecovery(_startIndex, _startTerm, _entries.ToArray()));

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return default;
        }

        StorageRules.ValidateAppend(entries, _startIndex, LastIndex);
        var keep = (int)(entries[0].Index - _startIndex - 1);
        _entries.RemoveRange(keep, _entries.Count - keep);
        foreach (var e in entries)
        {
            _entries.Add(e with { Data = e.Data.ToArray() });
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask CompactAsync(long index, long term, CancellationToken cancellationToken = default)
    {
        if (index <= _startIndex)
        {
            return default;
        }

        var keepSuffix = index < LastIndex && _entries[(int)(index - _startIndex - 1)].Term == term;
        if (keepSuffix)
        {
            _entries.RemoveRange(0, (int)(index - _startIndex));
        }
        else
        {
            _entries.Clear(); // Past the end, or conflicting with the snapshot (Raft Figure 13, step 7).
        }

        _startIndex = index;
        _startTerm = term;
        return default;
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(long from, long toExclusive, ICollection<LogEntry> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        StorageRules.ValidateRead(from, toExclusive, _startIndex, LastIndex);
        for (var i = from; i < toExclusive; i++)
        {
            destination.Add(_entries[(int)(i - _startIndex - 1)]);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => default;
}
