using System.Buffers;
using HsmRaft.Messages;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using Xunit;

namespace HsmRaft.Transport.Tests;

public sealed class RaftFrameTests
{
    private static readonly RaftTransportOptions Receiver = new() { LocalNodeId = 2, ClusterId = "c1" };
    private static readonly RaftTransportOptions Sender = new() { LocalNodeId = 1, ClusterId = "c1" };

    private static RaftFrameReader NewReader() => new(Receiver, ProtobufRaftMessageSerializer.Instance, id => id.Value is 1 or 3);

    private static byte[] Frames(params RaftMessage[] messages)
    {
        using var buffer = new FrameBuffer(16);
        var writer = new RaftFrameWriter(Sender, ProtobufRaftMessageSerializer.Instance);
        foreach (var m in messages)
        {
            Assert.True(writer.TryWrite(m, buffer, out var problem), problem);
        }

        return buffer.WrittenMemory.ToArray();
    }

    [Fact]
    public void Frames_fed_one_byte_at_a_time_are_read_only_when_complete()
    {
        var sent = RaftMessageSamples.OneOfEach(1, 2);
        var bytes = Frames([.. sent]);
        var reader = NewReader();
        var received = new List<RaftMessage>();
        var consumed = 0;
        for (var available = 1; available <= bytes.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, consumed, available - consumed);
            while (reader.TryRead(ref buffer, out var message))
            {
                received.Add(message);
            }

            consumed = (int)(available - buffer.Length);
        }

        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(sent.Select(RaftMessageSamples.Describe), received.Select(RaftMessageSamples.Describe));
    }

    [Fact]
    public void Garbage_is_refused_after_four_bytes()
    {
        var buffer = new ReadOnlySequence<byte>("GET "u8.ToArray());
        var error = Assert.Throws<RaftFrameException>(() => NewReader().TryRead(ref buffer, out _));
        Assert.Equal(RaftFrameError.BadMagic, error.Error);
        Assert.Contains("another protocol", error.Message);
    }

    [Fact]
    public void An_oversized_length_is_refused_from_the_header_alone()
    {
        var good = new Heartbeat { From = 1, To = 2, Term = 1 };
        var header = FrameCrafter.Frame("c1", good, [], payloadLength: Receiver.MaxMessageSize + 1);
        var buffer = new ReadOnlySequence<byte>(header);
        var error = Assert.Throws<RaftFrameException>(() => NewReader().TryRead(ref buffer, out _));
        Assert.Equal(RaftFrameError.MessageTooLarge, error.Error);
        Assert.Contains("MaxMessageSize", error.Message);
    }

    [Fact]
    public void A_connection_is_bound_to_its_first_sender()
    {
        var reader = NewReader();
        var first = new ReadOnlySequence<byte>(Frames(new Heartbeat { From = 1, To = 2, Term = 1 }));
        Assert.True(reader.TryRead(ref first, out _));
        var other = new Heartbeat { From = 3, To = 2, Term = 1 };
        var second = new ReadOnlySequence<byte>(FrameCrafter.Valid("c1", ProtobufRaftMessageSerializer.Instance, other));
        Assert.Equal(RaftFrameError.SenderChanged, Assert.Throws<RaftFrameException>(() => reader.TryRead(ref second, out _)).Error);
    }

    [Fact]
    public void A_frame_from_another_cluster_names_both_clusters()
    {
        var frame = FrameCrafter.Valid("c9", ProtobufRaftMessageSerializer.Instance, new Heartbeat { From = 1, To = 2, Term = 1 });
        var buffer = new ReadOnlySequence<byte>(frame);
        var error = Assert.Throws<RaftFrameException>(() => NewReader().TryRead(ref buffer, out _));
        Assert.Equal(RaftFrameError.WrongCluster, error.Error);
        Assert.Contains("'c9'", error.Message);
        Assert.Contains("'c1'", error.Message);
    }

    [Fact]
    public void Entries_that_are_not_contiguous_are_refused()
    {
        var gap = new AppendEntries
        {
            From = 1, To = 2, Term = 2, PrevLogIndex = 4, PrevLogTerm = 1,
            Entries = [new LogEntry(5, 2, LogEntryKind.Command, new byte[1]), new LogEntry(7, 2, LogEntryKind.Command, new byte[1])],
        };
        var buffer = new ReadOnlySequence<byte>(FrameCrafter.Valid("c1", ProtobufRaftMessageSerializer.Instance, gap));
        var error = Assert.Throws<RaftFrameException>(() => NewReader().TryRead(ref buffer, out _));
        Assert.Equal(RaftFrameError.MalformedPayload, error.Error);
        Assert.Contains("expected index 6", error.Message);
    }

    [Fact]
    public void The_writer_refuses_oversized_messages_and_leaves_the_batch_as_it_was()
    {
        using var buffer = new FrameBuffer();
        var writer = new RaftFrameWriter(Sender, ProtobufRaftMessageSerializer.Instance);
        Assert.True(writer.TryWrite(new Heartbeat { From = 1, To = 2, Term = 1 }, buffer, out _));
        var before = buffer.WrittenMemory.ToArray();
        var huge = new AppendEntries { From = 1, To = 2, Term = 1, Entries = [new LogEntry(1, 1, LogEntryKind.Command, new byte[Sender.MaxMessageSize])] };
        Assert.False(writer.TryWrite(huge, buffer, out var problem));
        Assert.Contains("MaxMessageSize", problem);
        Assert.Equal(before, buffer.WrittenMemory.ToArray());
        Assert.False(writer.TryWrite(new Heartbeat { From = 5, To = 2, Term = 1 }, buffer, out problem));
        Assert.Contains("RaftMessage.From must be the local node id", problem);
    }
}
