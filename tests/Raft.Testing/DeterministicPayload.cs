namespace HsmRaft.Testing;

/// <summary>Payload bytes that are a pure function of (index, term, size), so a reader (or another process) can check an
/// entry without having kept a copy.</summary>
public static class DeterministicPayload
{
    /// <summary>The payload of the entry at <paramref name="index"/> in <paramref name="term"/> with <paramref name="size"/> bytes.</summary>
    public static byte[] Create(long index, long term, int size)
    {
        var data = new byte[size];
        var x = ((ulong)index * 0x9E3779B97F4A7C15UL) ^ ((ulong)term * 0xBF58476D1CE4E5B9UL) ^ (ulong)size ^ 1;
        for (var i = 0; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data[i] = (byte)x;
        }

        return data;
    }

    /// <summary>True when <paramref name="entry"/> carries exactly the payload <see cref="Create"/> gives for it.</summary>
    public static bool Matches(LogEntry entry) => entry.Data.Span.SequenceEqual(Create(entry.Index, entry.Term, entry.Data.Length));
}
