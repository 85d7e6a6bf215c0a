using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport.Conformance;

/// <summary>One recorded log event.</summary>
public sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>An <see cref="ILoggerFactory"/> that records every event so tests can assert what was logged and await an
/// event (waiters are re-checked on every event: no polling).</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<LogRecord, bool> Match, TaskCompletionSource<LogRecord> Done)> _waiters = [];

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyList<LogRecord> Records => [.. _records];

    /// <summary>Warnings and errors whose text contains <paramref name="text"/>.</summary>
    public IReadOnlyList<LogRecord> WarningsMentioning(string text) =>
        [.. _records.Where(r => r.Level >= LogLevel.Warning && r.Message.Contains(text, StringComparison.Ordinal))];

    /// <summary>Completes with the first event (past or future) that matches.</summary>
    public async Task<LogRecord> WaitForAsync(Func<LogRecord, bool> match, TimeSpan hangGuard, string description)
    {
        var done = new TaskCompletionSource<LogRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var existing = _records.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(hangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {hangGuard} waiting for a log event: {description}. Logged:{Environment.NewLine}" +
                                       string.Join(Environment.NewLine, Records.Select(r => $"  {r.Level} {r.EventId.Id} {r.Message} {r.Exception?.GetType().Name} {r.Exception?.Message}")));
        }
    }

    /// <summary>Completes when a Warning or Error mentioning <paramref name="text"/> is logged.</summary>
    public Task<LogRecord> WaitForWarningAsync(string text, TimeSpan hangGuard) =>
        WaitForAsync(r => r.Level >= LogLevel.Warning && r.Message.Contains(text, StringComparison.Ordinal), hangGuard, $"a warning mentioning '{text}'");

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(LogRecord record)
    {
        lock (_lock)
        {
            _records.Enqueue(record);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(record))
                {
                    _waiters[i].Done.TrySetResult(record);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Logger(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogRecord(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
