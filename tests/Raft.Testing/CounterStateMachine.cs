using System.Collections.Immutable;
using System.Text;

namespace HsmRaft.Testing;

/// <summary>A tiny replicated state machine for runtime and cluster tests: commands are UTF-8 strings appended to an immutable list;
/// applying returns the list's new length. Snapshots are the list, one line per command.</summary>
public sealed class CounterStateMachine : IRaftStateMachine
{
    private ImmutableList<string> _items = [];

    public IReadOnlyList<string> Items => _items;

    public int Restores { get; private set; }

    public ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        _items = _items.Add(Encoding.UTF8.GetString(entry.Data.Span));
        return ValueTask.FromResult<object?>(_items.Count);
    }

    public IRaftSnapshotSource CaptureSnapshot() => new Source(_items);

    public async ValueTask RestoreAsync(Stream snapshot, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(snapshot, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        _items = text.Length == 0 ? [] : [.. text.Split('\n')];
        Restores++;
    }

    private sealed class Source(ImmutableList<string> items) : IRaftSnapshotSource
    {
        public async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
            await destination.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', items)), cancellationToken);

        public void Dispose()
        {
        }
    }
}
