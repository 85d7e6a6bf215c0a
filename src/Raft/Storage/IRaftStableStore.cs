namespace HsmRaft.Storage;

/// <summary>The small state a node persists besides its log: term, vote, commit index and the configuration in force.</summary>
/// <param name="HardState">Term, vote and commit index.</param>
/// <param name="Configuration">The latest configuration the node knows (from its log or snapshot).</param>
public sealed record PersistentState(HardState HardState, ClusterConfiguration Configuration);

/// <summary>Persists <see cref="PersistentState"/> atomically: after a crash either the old or the new value is read, never a mix.</summary>
public interface IRaftStableStore : IAsyncDisposable
{
    /// <summary>Reads the last saved state, or null for a node that never saved one. Damage throws <see cref="StorageCorruptedException"/>.</summary>
    ValueTask<PersistentState?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves the state durably (fsync) before completing.</summary>
    ValueTask SaveAsync(PersistentState state, CancellationToken cancellationToken = default);
}
