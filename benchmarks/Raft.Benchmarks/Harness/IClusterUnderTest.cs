namespace HsmRaft.Benchmarks.Harness;

/// <summary>
/// One Raft implementation, started as three voters inside this process on 127.0.0.1 over a
/// real transport, each voter with durable file storage in its own directory.
/// </summary>
/// <remarks>
/// The harness creates a fresh instance for every run and drives it in this order:
/// <see cref="StartAsync"/>, <see cref="WaitForLeaderAsync"/>, many concurrent
/// <see cref="ProposeAsync"/> calls, <see cref="WaitForReplicationAsync"/>, <see cref="StopAsync"/>,
/// <see cref="IAsyncDisposable.DisposeAsync"/>. The harness deletes the directories afterwards.
/// </remarks>
public interface IClusterUnderTest : IAsyncDisposable
{
    /// <summary>Starts three voters that know each other, one per directory (three are given).</summary>
    Task StartAsync(IReadOnlyList<string> dataDirectories, CancellationToken cancellationToken);

    /// <summary>
    /// Returns once every voter agrees on one leader that accepts proposals. From then on a change of
    /// leader (or of term) counts in <see cref="LeaderChanges"/>.
    /// </summary>
    Task WaitForLeaderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Proposes <paramref name="command"/> on the leader and completes once it is committed and applied
    /// by the leader's state machine. Called concurrently by many writers; each keeps its buffer
    /// unchanged until the call completes.
    /// </summary>
    ValueTask ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken);

    /// <summary>Leader changes (or term changes) seen by any voter since <see cref="WaitForLeaderAsync"/>.</summary>
    int LeaderChanges { get; }

    /// <summary>Completes once every voter has applied everything the leader has committed so far.</summary>
    Task WaitForReplicationAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What each voter's state machine has applied, one entry per voter. The state machines record every
    /// applied command (and nothing else, e.g. not a new leader's empty no-op entry) with
    /// <see cref="AppliedCommands.Record(System.Buffers.ReadOnlySequence{byte})"/>.
    /// </summary>
    IReadOnlyList<AppliedCommands> Applied { get; }

    /// <summary>Stops the voters; storage stays on disk until the harness deletes it.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
