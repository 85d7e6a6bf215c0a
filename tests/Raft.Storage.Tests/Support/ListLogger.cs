using Microsoft.Extensions.Logging;

namespace HsmRaft.Storage.Tests;

/// <summary>Collects log messages so tests can assert that recovery reported what it did.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, int EventId, string Message)> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add((logLevel, eventId.Id, formatter(state, exception)));

    public bool Has(int eventId) => Messages.Any(m => m.EventId == eventId);
}
