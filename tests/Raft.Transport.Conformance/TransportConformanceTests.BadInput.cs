using HsmRaft.Messages;
using Xunit;

namespace HsmRaft.Transport.Conformance;

/// <summary>The kinds of bad input the conformance suite sends.</summary>
public enum BadInput
{
    /// <summary>Bytes of another protocol.</summary>
    Garbage,

    /// <summary>A frame cut short, then the end of the stream.</summary>
    TruncatedFrame,

    /// <summary>A header claiming a payload over the limit (and no payload: the endpoint must not wait for it).</summary>
    OversizedLength,

    /// <summary>A message type no node knows.</summary>
    UnknownMessageType,

    /// <summary>A wire version this build does not speak.</summary>
    UnsupportedWireVersion,

    /// <summary>A frame from another cluster.</summary>
    WrongClusterId,

    /// <summary>A frame from a node that is not a peer.</summary>
    UnknownSender,

    /// <summary>A frame addressed to another node.</summary>
    WrongReceiver,

    /// <summary>A valid header followed by bytes that are not a message.</summary>
    MalformedPayload,

    /// <summary>A payload whose sender contradicts the header's.</summary>
    PayloadContradictsHeader,
}

public abstract partial class TransportConformanceTests
{
    [Theory]
    [InlineData(BadInput.Garbage, RaftFrameError.BadMagic)]
    [InlineData(BadInput.TruncatedFrame, RaftFrameError.Truncated)]
    [InlineData(BadInput.OversizedLength, RaftFrameError.MessageTooLarge)]
    [InlineData(BadInput.UnknownMessageType, RaftFrameError.UnknownMessageType)]
    [InlineData(BadInput.UnsupportedWireVersion, RaftFrameError.UnsupportedWireVersion)]
    [InlineData(BadInput.WrongClusterId, RaftFrameError.WrongCluster)]
    [InlineData(BadInput.UnknownSender, RaftFrameError.UnknownSender)]
    [InlineData(BadInput.WrongReceiver, RaftFrameError.WrongReceiver)]
    [InlineData(BadInput.MalformedPayload, RaftFrameError.MalformedPayload)]
    [InlineData(BadInput.PayloadContradictsHeader, RaftFrameError.MalformedPayload)]
    public async Task Bad_input_closes_only_that_connection_logs_it_once_and_holds_nothing(BadInput input, RaftFrameError expected)
    {
        var (a, b) = await StartConnectedPairAsync();
        var baseline = ActiveInboundConnections(b.Transport);

        var good = new Heartbeat { From = a.Id, To = b.Id, Term = 1, Context = 42 };
        var payload = FrameCrafter.Payload(Serializer, good);
        var claimedSender = input == BadInput.UnknownSender ? (NodeId)99 : a.Id;
        var (bytes, endStream) = input switch
        {
            BadInput.Garbage => ("GET / HTTP/1.1\r\nHost: raft\r\n\r\n"u8.ToArray(), false),
            BadInput.TruncatedFrame => (FrameCrafter.Frame(ClusterId, good, payload)[..^3], true),
            BadInput.OversizedLength => (FrameCrafter.Frame(ClusterId, good, [], payloadLength: CreateOptions(b.Id).MaxMessageSize + 1), false),
            BadInput.UnknownMessageType => (FrameCrafter.Frame(ClusterId, good, payload, type: 200), false),
            BadInput.UnsupportedWireVersion => (FrameCrafter.Frame(ClusterId, good, payload, version: RaftFrameHeader.CurrentWireVersion + 1), false),
            BadInput.WrongClusterId => (FrameCrafter.Frame("another-cluster", good, payload), false),
            BadInput.UnknownSender => (FrameCrafter.Frame(ClusterId, good, payload, sender: claimedSender), false),
            BadInput.WrongReceiver => (FrameCrafter.Frame(ClusterId, good, payload, receiver: 5), false),
            BadInput.MalformedPayload => (FrameCrafter.Frame(ClusterId, good, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), false),
            _ => (FrameCrafter.Frame(ClusterId, good, FrameCrafter.Payload(Serializer, new Heartbeat { From = 3, To = b.Id, Term = 1 })), false),
        };

        await using (var raw = await ConnectRawAsync(b.Transport, claimedSender))
        {
            await raw.WriteAsync(bytes);
            if (endStream)
            {
                await raw.CompleteAsync();
            }

            await raw.Closed.WaitAsync(HangGuard);
            var warnings = Logs.WarningsMentioning(raw.LocalAddress);
            var warning = Assert.Single(warnings);
            Assert.Contains(expected.ToString(), warning.Message, StringComparison.Ordinal);
        }

        Assert.Equal(baseline, ActiveInboundConnections(b.Transport));
        Assert.DoesNotContain(b.Handler.Received, m => m is Heartbeat { Context: 42 });
        a.Transport.Send(Beat(a, b, 1));
        await WaitForBeatsAsync(b, a, 2);
    }

    [Fact]
    public async Task Survives_thousands_of_random_and_mutated_frames_and_keeps_serving_good_peers()
    {
        var seed = TestSeed.Get(out var replay);
        var (a, b) = await StartConnectedPairAsync();
        var baseline = ActiveInboundConnections(b.Transport);

        var valid = RaftMessageSamples.OneOfEach(a.Id, b.Id).Concat(RaftMessageSamples.EdgeCases(a.Id, b.Id))
            .Select(m => FrameCrafter.Valid(ClusterId, Serializer, m)).ToArray();
        var fuzzer = new FrameFuzzer(new Random(seed), valid);
        const int frames = 2000;
        const int framesPerConnection = 8;
        var connections = 0;
        try
        {
            for (var sent = 0; sent < frames; connections++)
            {
                await using var raw = await ConnectRawAsync(b.Transport, a.Id);
                for (var i = 0; i < framesPerConnection && sent < frames && !raw.Closed.IsCompleted; i++, sent++)
                {
                    await raw.WriteAsync(fuzzer.Next());
                }

                await raw.CompleteAsync();
                await raw.Closed.WaitAsync(HangGuard);
                Assert.True(Logs.WarningsMentioning(raw.LocalAddress).Count <= 1, $"connection {connections} was logged more than once. {replay}");
            }

            Assert.Equal(baseline, ActiveInboundConnections(b.Transport));
            // Marked by a term no mutation of the sample frames (at most a few flipped bits) can produce.
            const int count = 100;
            const long marker = 0x5A5A_5A5A_5A5A;
            for (var i = 1; i <= count; i++)
            {
                a.Transport.Send(new Heartbeat { From = a.Id, To = b.Id, Term = marker, Context = i });
            }

            await b.Handler.WaitUntilAsync(r => r.Count(m => m is Heartbeat { Term: marker }) >= count, HangGuard, "the good peer's heartbeats");
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i),
                b.Handler.Received.OfType<Heartbeat>().Where(m => m.Term == marker).Select(m => m.Context));
            Assert.All(b.Handler.Received, m =>
            {
                Assert.Equal(a.Id, m.From);
                Assert.Equal(b.Id, m.To);
            });
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.Contains(replay))
        {
            throw new Xunit.Sdk.XunitException($"Fuzz run failed after {connections} connection(s). {replay}{Environment.NewLine}{e}");
        }
    }
}
