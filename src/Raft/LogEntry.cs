namespace HsmRaft;

/// <summary>What a log entry carries.</summary>
public enum LogEntryKind : byte
{
    /// <summary>A user command, opaque to Raft, applied to the <see cref="IRaftStateMachine"/>.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends at the start of its term (Raft §5.4.2, §8).</summary>
    NoOp = 1,

    /// <summary>A cluster configuration (<see cref="ClusterConfiguration"/>), effective when appended (thesis §4.1).</summary>
    Configuration = 2,
}

/// <summary>One entry of the replicated log.</summary>
/// <param name="Index">Position in the log, starting at 1.</param>
/// <param name="Term">Term of the leader that created the entry.</param>
/// <param name="Kind">What <paramref name="Data"/> holds.</param>
/// <param name="Data">The payload: the user's command bytes, or an encoded configuration.</param>
public readonly record struct LogEntry(long Index, long Term, LogEntryKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>Bytes this entry counts for in size limits (payload plus a fixed header estimate).</summary>
    public long SizeInBytes => Data.Length + 24;
}
