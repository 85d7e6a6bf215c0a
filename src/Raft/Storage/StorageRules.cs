using HsmRaft.Storage.Format;

namespace HsmRaft.Storage;

/// <summary>The argument checks the log and snapshot stores apply, shared so the in-memory and file stores agree.</summary>
internal static class StorageRules
{
    /// <summary>Checks an append batch against a log whose start marker is <paramref name="startIndex"/> and last entry <paramref name="lastIndex"/>.</summary>
    public static void ValidateAppend(IReadOnlyList<LogEntry> entries, long startIndex, long lastIndex)
    {
        var first = entries[0].Index;
        if (first <= startIndex)
        {
            throw new ArgumentException(
                $"The first entry to append has index {first}, but entries up to {startIndex} were compacted into a snapshot; append only entries after index {startIndex}.",
                nameof(entries));
        }

        if (first > lastIndex + 1)
        {
            throw new ArgumentException(
                $"The first entry to append has index {first}, but the log ends at index {lastIndex}: appending would leave a gap. The next index must be at most {lastIndex + 1}.",
                nameof(entries));
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Index != first + i)
            {
                throw new ArgumentException($"Entries to append must have consecutive indexes: entry {i} has index {e.Index}, expected {first + i}.", nameof(entries));
            }

            if (e.Term <= 0 || (i > 0 && e.Term < entries[i - 1].Term))
            {
                throw new ArgumentException($"Entry {e.Index} has term {e.Term}: terms must be positive and never decrease along the log.", nameof(entries));
            }

            if (!Enum.IsDefined(e.Kind))
            {
                throw new ArgumentException($"Entry {e.Index} has kind {(int)e.Kind}, which is not a defined LogEntryKind.", nameof(entries));
            }

            if (e.Data.Length > LogRecord.MaxPayload)
            {
                throw new ArgumentException($"Entry {e.Index} carries {e.Data.Length} bytes; an entry may carry at most {LogRecord.MaxPayload} bytes (1 GiB).", nameof(entries));
            }
        }
    }

    /// <summary>Checks a read range against the log's bounds.</summary>
    public static void ValidateRead(long from, long toExclusive, long startIndex, long lastIndex)
    {
        if (from > toExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from, $"The read range [{from}, {toExclusive}) is reversed.");
        }

        if (from <= startIndex && from < toExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from,
                $"Entries up to index {startIndex} were compacted into a snapshot; read from index {startIndex + 1} or later.");
        }

        if (toExclusive > lastIndex + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(toExclusive), toExclusive,
                $"The log ends at index {lastIndex}; the end of a read range may be at most {lastIndex + 1}.");
        }
    }

    /// <summary>Refuses to let a snapshot replace a newer one.</summary>
    public static void EnsureNotOlder(SnapshotMetadata? latest, SnapshotMetadata candidate)
    {
        if (latest is not null && candidate.LastIncludedIndex < latest.LastIncludedIndex)
        {
            throw new InvalidOperationException(
                $"A snapshot up to index {latest.LastIncludedIndex} is already committed; a snapshot up to the older index {candidate.LastIncludedIndex} cannot replace it.");
        }
    }
}
