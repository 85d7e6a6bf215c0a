namespace HsmRaft;

/// <summary>
/// The user's replicated application. Raft calls it on one apply loop, in log order, with committed commands only;
/// every node applies the same commands in the same order, so deterministic code yields the same state everywhere.
/// </summary>
public interface IRaftStateMachine
{
    /// <summary>Applies one committed command and returns its result, which completes the proposer's
    /// <c>ProposeAsync</c> on the node that proposed it (ignored elsewhere).</summary>
    ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>Captures a point-in-time view of the state after the last applied command. Called on the apply loop,
    /// so it must be quick (copy-on-write or an immutable reference); the returned source is written out in the background
    /// while commands keep being applied.</summary>
    IRaftSnapshotSource CaptureSnapshot();

    /// <summary>Replaces the whole state with a snapshot written by <see cref="IRaftSnapshotSource.WriteToAsync"/>.</summary>
    ValueTask RestoreAsync(Stream snapshot, CancellationToken cancellationToken);
}

/// <summary>A point-in-time state captured by <see cref="IRaftStateMachine.CaptureSnapshot"/>.</summary>
public interface IRaftSnapshotSource : IDisposable
{
    /// <summary>Writes the captured state to <paramref name="destination"/>.</summary>
    ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken);
}
