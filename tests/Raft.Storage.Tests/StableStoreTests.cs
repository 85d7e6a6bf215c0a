namespace HsmRaft.Storage.Tests;

public class StableStoreTests
{
    private static readonly ClusterConfiguration Joint = new(
        [new ClusterMember(1, "http://a"), new ClusterMember(2, "http://b"), new ClusterMember(3, "http://c"), new ClusterMember(4, "http://d")],
        voters: [1, 2, 4],
        learners: [3],
        outgoingVoters: [1, 2, 3]);

    [Fact]
    public async Task A_new_node_has_no_state_and_a_saved_state_survives_restarts()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n");
        await node.OpenAsync();
        Assert.Null(await node.Storage!.Stable.LoadAsync());

        var state = new PersistentState(new HardState(7, 3, 42), Joint);
        await node.Storage.Stable.SaveAsync(state);
        await node.ReopenAsync();
        Assert.Equal(state, await node.Storage.Stable.LoadAsync());

        // Survives a power loss right after the save returned.
        await node.CloseAsync();
        fs.Crash(CrashMode.DropUnsynced);
        await node.OpenAsync();
        Assert.Equal(state, await node.Storage.Stable.LoadAsync());
    }

    [Fact]
    public async Task Saving_an_unchanged_state_costs_no_sync()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n");
        await node.OpenAsync();
        var state = new PersistentState(new HardState(1, 1, 0), Joint);
        await node.Storage!.Stable.SaveAsync(state);
        var syncs = fs.SyncCount;
        await node.Storage.Stable.SaveAsync(state with { });
        Assert.Equal(syncs, fs.SyncCount);
        await node.Storage.Stable.SaveAsync(state with { HardState = new HardState(1, 1, 5) });
        Assert.Equal(syncs + 1, fs.SyncCount);
    }

    [Fact]
    public async Task A_leftover_temporary_file_from_an_interrupted_save_is_removed_and_the_old_state_kept()
    {
        var fs = new SimulatedFileSystem(1);
        var node = new Node(fs, "/n");
        await node.OpenAsync();
        var old = new PersistentState(new HardState(2, 1, 1), Joint);
        await node.Storage!.Stable.SaveAsync(old);
        fs.WriteAllBytes("/n/state.tmp", [1, 2, 3]);
        await node.ReopenAsync();
        Assert.Equal(old, await node.Storage.Stable.LoadAsync());
        Assert.DoesNotContain("/n/state.tmp", fs.AllFiles());
        Assert.True(node.Logger.Has(6005));
    }

    [Fact]
    public async Task Negative_terms_are_rejected()
    {
        var node = new Node(new SimulatedFileSystem(1), "/n");
        await node.OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await node.Storage!.Stable.SaveAsync(new PersistentState(new HardState(-1, 0, 0), Joint)));
    }

    [Fact]
    public async Task In_memory_stable_store_returns_what_was_saved()
    {
        var store = new InMemoryStableStore();
        Assert.Null(await store.LoadAsync());
        var state = new PersistentState(new HardState(4, 2, 3), Joint);
        await store.SaveAsync(state);
        Assert.Equal(state, await store.LoadAsync());
        Assert.Equal(1, store.SaveCount);
    }
}
