using HsmRaft.Messages;

namespace HsmRaft.Runtime;

/// <summary>Everything that wakes the node's loop, as one struct so the inbox carries no per-item wrapper objects.</summary>
internal readonly struct NodeInput
{
    public required InputKind Kind { get; init; }

    public RaftMessage? Message { get; init; }

    public ReadOnlyMemory<byte> Command { get; init; }

    public object? Completion { get; init; }

    public long Index { get; init; }

    public NodeId Peer { get; init; }

    public SnapshotMetadata? Snapshot { get; init; }

    public Core.MembershipChange? Change { get; init; }

    public static NodeInput Tick { get; } = new() { Kind = InputKind.Tick };
}

internal enum InputKind
{
    Message,
    Propose,
    Read,
    Membership,
    Transfer,
    Tick,
    Applied,
    SnapshotTaken,
    SnapshotInstalled,
    Unreachable,
}

/// <summary>A proposal waiting for its entry to be applied.</summary>
internal sealed class PendingProposal(long term, TaskCompletionSource<object?> completion, long startTimestamp)
{
    public long Term { get; } = term;

    public TaskCompletionSource<object?> Completion { get; } = completion;

    /// <summary>When the proposal was made (<see cref="TimeProvider.GetTimestamp"/>), for the commit-latency metric.</summary>
    public long StartTimestamp { get; } = startTimestamp;
}

/// <summary>Work for the apply loop, in commit order.</summary>
internal readonly struct ApplyItem
{
    public List<LogEntry>? Entries { get; init; }

    /// <summary>A read barrier: complete <see cref="Barrier"/> once the applied index reaches <see cref="Index"/>.</summary>
    public TaskCompletionSource? Barrier { get; init; }

    public long Index { get; init; }

    /// <summary>Restore the state machine from this (committed) snapshot.</summary>
    public SnapshotMetadata? Restore { get; init; }
}
