using System.Buffers;
using HsmRaft.Messages;
using HsmRaft.Serialization.Protobuf;
using Xunit;

namespace HsmRaft.Transport.Tests;

/// <summary>Protobuf payloads that fit in a frame but would cost far more memory than their size to materialise.</summary>
public sealed class ProtobufHostileInputTests
{
    private static readonly ProtobufRaftMessageSerializer Serializer = ProtobufRaftMessageSerializer.Instance;

    [Theory]
    [InlineData(new byte[] { 0x3A, 0x00 }, "index 0")] // an empty entry: index 0
    [InlineData(new byte[] { 0x3A, 0x02, 0x08, 0x05 }, "expected index 6, found 5")] // the same index over and over
    public void Millions_of_tiny_invalid_entries_are_refused_before_they_are_materialised(byte[] entry, string problem)
    {
        // 4 MB, within the default MaxMessageSize: protobuf-net used to build ~230 MiB of objects from it.
        var payload = new byte[4_000_000 / entry.Length * entry.Length];
        for (var offset = 0; offset < payload.Length; offset += entry.Length)
        {
            entry.CopyTo(payload, offset);
        }

        Assert.Throws<InvalidDataException>(() => Serializer.Deserialize(RaftMessageType.AppendEntries, new ReadOnlySequence<byte>(new byte[] { 0x3A, 0x00 }))); // first use builds the model
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => Serializer.Deserialize(RaftMessageType.AppendEntries, new ReadOnlySequence<byte>(payload)));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"refusing a {payload.Length}-byte payload allocated {allocated} bytes");
    }

    [Fact]
    public void Entries_written_before_the_other_fields_are_read()
    {
        // Protobuf fields may come in any order: entries {index 1, term 1} and {index 2, term 1}, then from, to, term.
        byte[] payload = [0x3A, 0x04, 0x08, 0x01, 0x10, 0x01, 0x3A, 0x04, 0x08, 0x02, 0x10, 0x01, 0x08, 0x01, 0x10, 0x02, 0x18, 0x01];

        var message = Assert.IsType<AppendEntries>(Serializer.Deserialize(RaftMessageType.AppendEntries, new ReadOnlySequence<byte>(payload)));

        Assert.Equal([1L, 2L], message.Entries.Select(e => e.Index));
        Assert.Equal((NodeId)1, message.From);
    }

    [Fact]
    public void A_group_field_is_refused()
    {
        // An unknown field 15 as a start-group (0x7B): not part of the schema, and nested groups would need recursion.
        byte[] payload = [0x08, 0x01, 0x7B, 0x7B, 0x7C, 0x7C];

        var error = Assert.Throws<InvalidDataException>(() => Serializer.Deserialize(RaftMessageType.AppendEntries, new ReadOnlySequence<byte>(payload)));

        Assert.Contains("Wire type 3", error.Message, StringComparison.Ordinal);
    }
}
