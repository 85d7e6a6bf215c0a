using Microsoft.Extensions.Logging;

namespace HsmRaft.Simulation.Sim;

/// <summary>Counts the file stores' log events by name (e.g. <c>TornTailTruncated</c>), so scenarios can show which recovery
/// paths a run went through.</summary>
internal sealed class StorageEventCounter : ILogger
{
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public int this[string name] => Counts.GetValueOrDefault(name);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var name = eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Counts[name] = Counts.GetValueOrDefault(name) + 1;
    }
}
