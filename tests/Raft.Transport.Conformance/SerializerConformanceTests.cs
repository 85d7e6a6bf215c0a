using System.Buffers;
using HsmRaft.Messages;
using Xunit;

namespace HsmRaft.Transport.Conformance;

/// <summary>
/// The tests every <see cref="IRaftMessageSerializer"/> must pass. Derive a class in your test project and return your
/// serializer from <see cref="Serializer"/>; xunit runs the inherited tests.
/// </summary>
public abstract class SerializerConformanceTests
{
    /// <summary>The serializer under test.</summary>
    protected abstract IRaftMessageSerializer Serializer { get; }

    [Fact]
    public void Round_trips_every_message_type_with_every_field_set()
    {
        foreach (var message in RaftMessageSamples.OneOfEach(1, 2))
        {
            AssertRoundTrip(message);
        }
    }

    [Fact]
    public void Round_trips_edge_cases()
    {
        foreach (var message in RaftMessageSamples.EdgeCases(ulong.MaxValue, 1))
        {
            AssertRoundTrip(message);
        }
    }

    [Fact]
    public void Round_trips_a_max_size_snapshot_chunk_and_a_large_entry_batch()
    {
        AssertRoundTrip(RaftMessageSamples.Chunk(3, 4, 1024 * 1024, 7 * 1024 * 1024, seed: 9, done: true));
        var entries = Enumerable.Range(1, 2000)
            .Select(i => new LogEntry(i, 3, LogEntryKind.Command, RaftMessageSamples.Bytes(i % 1500, i)))
            .ToArray();
        AssertRoundTrip(new AppendEntries { From = 3, To = 4, Term = 3, PrevLogIndex = 0, PrevLogTerm = 0, LeaderCommit = 1999, Entries = entries });
        AssertRoundTrip(new AppendEntries
        {
            From = 3, To = 4, Term = 3, PrevLogIndex = 9, PrevLogTerm = 3,
            Entries = [new LogEntry(10, 3, LogEntryKind.Command, RaftMessageSamples.Bytes(3 * 1024 * 1024, 5))],
        });
    }

    [Fact]
    public void Round_trips_from_a_fragmented_buffer()
    {
        foreach (var message in RaftMessageSamples.OneOfEach(5, 6))
        {
            var bytes = Serialize(message);
            var copy = Serializer.Deserialize(message.Type, Fragment(bytes, 7));
            Assert.Equal(RaftMessageSamples.Describe(message), RaftMessageSamples.Describe(copy));
        }
    }

    [Fact]
    public void The_result_does_not_alias_the_input_buffer()
    {
        foreach (var message in RaftMessageSamples.OneOfEach(1, 2))
        {
            var bytes = Serialize(message);
            var copy = Serializer.Deserialize(message.Type, new ReadOnlySequence<byte>(bytes));
            Array.Clear(bytes);
            Assert.Equal(RaftMessageSamples.Describe(message), RaftMessageSamples.Describe(copy));
        }
    }

    [Fact]
    public void Random_and_mutated_input_fails_only_with_InvalidDataException()
    {
        var seed = TestSeed.Get(out var replay);
        var random = new Random(seed);
        var valid = RaftMessageSamples.OneOfEach(1, 2).Concat(RaftMessageSamples.EdgeCases(1, 2)).Select(m => (m.Type, Bytes: Serialize(m))).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var (type, original) = valid[random.Next(valid.Length)];
            var input = Mutate(random, original);
            try
            {
                var message = Serializer.Deserialize(type, new ReadOnlySequence<byte>(input));
                Assert.Equal(type, message.Type);
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"Input {i} ({Convert.ToHexString(input)}) as {type} threw {e.GetType().Name}: {e.Message}. {replay}");
            }
        }
    }

    /// <summary>Serializes, deserializes, and checks the result describes the same message.</summary>
    protected void AssertRoundTrip(RaftMessage message)
    {
        var copy = Serializer.Deserialize(message.Type, new ReadOnlySequence<byte>(Serialize(message)));
        Assert.IsType(message.GetType(), copy);
        Assert.Equal(RaftMessageSamples.Describe(message), RaftMessageSamples.Describe(copy));
    }

    private byte[] Serialize(RaftMessage message) => FrameCrafter.Payload(Serializer, message);

    private static byte[] Mutate(Random random, byte[] original)
    {
        var input = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                random.NextBytes(input);
                return input;
            case 1:
                return input[..random.Next(0, Math.Max(1, input.Length))];
            default:
                for (var flips = random.Next(1, 6); flips > 0 && input.Length > 0; flips--)
                {
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                }

                return input;
        }
    }

    private static ReadOnlySequence<byte> Fragment(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var chunk = bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset));
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
