namespace HsmRaft.Storage.Tests;

/// <summary>Log entries whose payload is a pure function of (index, term, size), so any reader can check them.</summary>
internal static class Entries
{
    public static LogEntry Make(long index, long term, int size, LogEntryKind kind = LogEntryKind.Command) =>
        new(index, term, kind, Payload(index, term, size));

    public static byte[] Payload(long index, long term, int size) => DeterministicPayload.Create(index, term, size);

    public static List<LogEntry> Range(long first, int count, long term, int size) =>
        [.. Enumerable.Range(0, count).Select(i => Make(first + i, term, size))];

    public static void AssertSame(IReadOnlyList<LogEntry> expected, IReadOnlyList<LogEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], actual[i]);
        }
    }

    public static void AssertSame(LogEntry expected, LogEntry actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.True(expected.Data.Span.SequenceEqual(actual.Data.Span), $"payload of entry {expected.Index} differs");
    }
}
