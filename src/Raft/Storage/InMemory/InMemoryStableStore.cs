namespace HsmRaft.Storage;

/// <summary>Hard state kept in memory, for tests and the simulator. Survives a simulated restart of the same instance.</summary>
public sealed class InMemoryStableStore : IRaftStableStore
{
    /// <summary>The last saved state, or null.</summary>
    public PersistentState? State { get; private set; }

    /// <summary>How many times <see cref="SaveAsync"/> was called.</summary>
    public int SaveCount { get; private set; }

    /// <inheritdoc />
    public ValueTask<PersistentState?> LoadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(State);

    /// <inheritdoc />
    public ValueTask SaveAsync(PersistentState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        State = state;
        SaveCount++;
        return default;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => default;
}
