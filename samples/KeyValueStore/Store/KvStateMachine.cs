using System.Collections.Immutable;

namespace HsmRaft.Samples.KeyValueStore.Store;

/// <summary>A key's value and the log index of its last change (its revision).</summary>
public readonly record struct KvEntry(string Value, long Revision);

/// <summary>The whole replicated state at one applied index. Immutable: readers and snapshots hold a reference while the apply
/// loop builds the next version (structural sharing makes each change O(log n)).</summary>
public sealed record KvState(ImmutableDictionary<string, KvEntry> Data, ImmutableDictionary<ulong, string> Apis, long AppliedIndex)
{
    /// <summary>The state before the first command.</summary>
    public static KvState Empty { get; } = new(ImmutableDictionary.Create<string, KvEntry>(StringComparer.Ordinal), ImmutableDictionary<ulong, string>.Empty, 0);
}

/// <summary>
/// The replicated key-value store: Raft applies committed commands here, in log order, on every node. State lives in one immutable
/// <see cref="KvState"/> swapped after each command, so HTTP reads on other threads never see a half-applied command and
/// <see cref="CaptureSnapshot"/> is O(1) (it keeps a reference; the snapshot is written in the background).
/// </summary>
public sealed class KvStateMachine : IRaftStateMachine
{
    private KvState _state = KvState.Empty;
    private int _restores;

    /// <summary>The state as of the last applied command.</summary>
    public KvState State => Volatile.Read(ref _state);

    /// <summary>Raised on the apply loop when the API directory changes (an announcement or a restored snapshot).</summary>
    public event Action? DirectoryChanged;

    /// <summary>How many snapshots this process restored (from disk at start, or sent by a leader).</summary>
    public int Restores => Volatile.Read(ref _restores);

    /// <inheritdoc />
    public ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var state = _state;
        var command = KvCommand.Decode(entry.Data.Span);
        var (next, result) = Apply(state, command, entry.Index);
        Volatile.Write(ref _state, next with { AppliedIndex = entry.Index });
        if (command.Op == KvOp.AnnounceApi)
        {
            DirectoryChanged?.Invoke();
        }

        return ValueTask.FromResult<object?>(result);
    }

    private static (KvState Next, KvResult Result) Apply(KvState state, in KvCommand command, long index)
    {
        var found = state.Data.TryGetValue(command.Key, out var current);
        switch (command.Op)
        {
            case KvOp.Put:
                return (state with { Data = state.Data.SetItem(command.Key, new KvEntry(command.Value!, index)) }, new KvResult(true, command.Value, index));
            case KvOp.Delete:
                return found
                    ? (state with { Data = state.Data.Remove(command.Key) }, new KvResult(true, null, index))
                    : (state, new KvResult(false, null, 0));
            case KvOp.CompareAndSwap:
                var matches = command.Expected is null ? !found : found && current.Value == command.Expected;
                return matches
                    ? (state with { Data = state.Data.SetItem(command.Key, new KvEntry(command.Value!, index)) }, new KvResult(true, command.Value, index))
                    : (state, new KvResult(false, found ? current.Value : null, found ? current.Revision : 0));
            case KvOp.AnnounceApi:
                return (state with { Apis = state.Apis.SetItem(command.NodeId, command.Value!) }, new KvResult(true, command.Value, index));
            default:
                throw new InvalidDataException($"Unknown key-value operation {command.Op} at index {index}.");
        }
    }

    /// <inheritdoc />
    public IRaftSnapshotSource CaptureSnapshot() => new KvSnapshotSource(State);

    /// <inheritdoc />
    public async ValueTask RestoreAsync(Stream snapshot, CancellationToken cancellationToken)
    {
        var state = await KvSnapshotFormat.ReadAsync(snapshot, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _state, state);
        Interlocked.Increment(ref _restores);
        DirectoryChanged?.Invoke();
    }

    private sealed class KvSnapshotSource(KvState state) : IRaftSnapshotSource
    {
        public ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
            KvSnapshotFormat.WriteAsync(state, destination, cancellationToken);

        public void Dispose()
        {
        }
    }
}
