using HsmRaft.Messages;

namespace HsmRaft.Transport;

/// <summary>
/// Structural checks on a message received from the network: values a correct peer can never send. They keep a
/// broken or hostile peer from handing the core negative indexes, gaps in an entry batch, or entries from a future term.
/// Protocol-level checks (is this term current, does the log match) stay in the core.
/// </summary>
public static class RaftMessageValidator
{
    /// <summary>Returns null when <paramref name="message"/> is well formed, otherwise what is wrong.</summary>
    public static string? Check(RaftMessage message, int maxChunkSize)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.From.IsNone || message.To.IsNone)
        {
            return "sender and receiver ids must be positive";
        }

        if (message.Term < 0)
        {
            return $"term {message.Term} is negative";
        }

        return message switch
        {
            RequestVote m when m.LastLogIndex < 0 || m.LastLogTerm < 0 => "negative last log index or term",
            AppendEntries m => CheckAppend(m),
            AppendEntriesResponse m when m.Index < 0 || m.RejectHint < 0 || m.ConflictTerm < 0 => "negative index, hint or conflict term",
            Heartbeat m when m.Commit < 0 => "negative commit index",
            InstallSnapshot m => CheckSnapshot(m, maxChunkSize),
            InstallSnapshotResponse m when m.SnapshotIndex < 0 || m.NextOffset < 0 => "negative snapshot index or offset",
            _ => null,
        };
    }

    private static string? CheckAppend(AppendEntries m)
    {
        if (m.PrevLogIndex < 0 || m.PrevLogTerm < 0 || m.LeaderCommit < 0)
        {
            return "negative previous log index, previous log term or commit index";
        }

        var expected = m.PrevLogIndex + 1;
        foreach (var entry in m.Entries)
        {
            if (entry.Index != expected)
            {
                return $"entries are not contiguous: expected index {expected}, found {entry.Index}";
            }

            if (entry.Term < m.PrevLogTerm || entry.Term > m.Term)
            {
                return $"entry {entry.Index} has term {entry.Term}, outside [{m.PrevLogTerm}, {m.Term}]";
            }

            if (entry.Kind is not (LogEntryKind.Command or LogEntryKind.NoOp or LogEntryKind.Configuration))
            {
                return $"entry {entry.Index} has unknown kind {(byte)entry.Kind}";
            }

            expected++;
        }

        return null;
    }

    private static string? CheckSnapshot(InstallSnapshot m, int maxChunkSize)
    {
        if (m.Offset < 0 || m.Metadata.LastIncludedIndex < 0 || m.Metadata.LastIncludedTerm < 0 || m.Metadata.Size < 0)
        {
            return "negative offset, snapshot index, term or size";
        }

        return m.Data.Length > maxChunkSize ? $"chunk of {m.Data.Length} bytes exceeds MaxChunkSize {maxChunkSize}" : null;
    }
}
