using System.Buffers;
using System.Buffers.Binary;

namespace HsmRaft.Benchmarks.Harness;

/// <summary>
/// What a voter's state machine has applied: the number of benchmark commands and a checksum over them.
/// Every implementation's trivial state machine records each applied command here, so the harness can
/// check that all voters applied the same commands, not merely the same number.
/// </summary>
public sealed class AppliedCommands
{
    private long count;
    private long checksum;

    /// <summary>Commands applied so far.</summary>
    public long Count => Volatile.Read(ref count);

    /// <summary>Sum (wrapping) of the first 8 bytes, little-endian, of every applied command.</summary>
    public long Checksum => Volatile.Read(ref checksum);

    /// <summary>Records one applied command. Call from one thread at a time (state machines apply in log order).</summary>
    public void Record(ReadOnlySequence<byte> command)
    {
        Span<byte> head = stackalloc byte[sizeof(long)];
        head.Clear();
        command.Slice(0, Math.Min(command.Length, sizeof(long))).CopyTo(head);
        Volatile.Write(ref checksum, unchecked(checksum + BinaryPrimitives.ReadInt64LittleEndian(head)));
        Volatile.Write(ref count, count + 1);
    }

    /// <summary>Records one applied command held in one buffer, e.g. HsmRaft's <c>LogEntry.Data</c>.</summary>
    public void Record(ReadOnlyMemory<byte> command) => Record(new ReadOnlySequence<byte>(command));
}
