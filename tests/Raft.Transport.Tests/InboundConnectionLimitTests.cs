using System.IO.Pipelines;
using HsmRaft.Messages;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using Xunit;

namespace HsmRaft.Transport.Tests;

/// <summary>A flood of inbound connections cannot pin a reader and buffers each: past
/// <see cref="RaftTransportOptions.MaxInboundConnections"/> a connection is refused (logged, nothing delivered).</summary>
public sealed class InboundConnectionLimitTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_connection_past_the_limit_is_refused_and_one_is_accepted_again_once_another_closes()
    {
        var options = new RaftTransportOptions { LocalNodeId = 2, ClusterId = "c1", MaxInboundConnections = 2 };
        using var logs = new RecordingLoggerFactory();
        var receiver = new RaftFrameReceiver(options, ProtobufRaftMessageSerializer.Instance, id => id.Value == 1, logs.CreateLogger("test"));
        var handler = new RecordingHandler();
        receiver.Handler = handler;
        var frame = FrameCrafter.Valid("c1", ProtobufRaftMessageSerializer.Instance, new Heartbeat { From = 1, To = 2, Term = 1, Context = 7 });

        var first = receiver.Open("203.0.113.1:5000");
        var second = receiver.Open("203.0.113.2:5000");
        using (var third = receiver.Open("203.0.113.3:5000"))
        {
            Assert.False(first.Refused || second.Refused);
            Assert.True(third.Refused);
            Assert.False(await third.ReceiveBatchAsync(frame, CancellationToken.None));
            Assert.Empty(handler.Received);
            var warning = Assert.Single(logs.WarningsMentioning("203.0.113.3:5000"));
            Assert.Contains("MaxInboundConnections", warning.Message);

            // A byte-stream connection past the limit ends at once, unread.
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(frame);
            await receiver.ReceiveAsync(pipe.Reader, "203.0.113.4:5000", CancellationToken.None).WaitAsync(HangGuard);
            Assert.Empty(handler.Received);
        }

        first.Dispose();
        Assert.Equal(1, receiver.ActiveConnections);
        using var fourth = receiver.Open("203.0.113.5:5000");
        Assert.False(fourth.Refused);
        Assert.True(await fourth.ReceiveBatchAsync(frame, CancellationToken.None));
        Assert.Equal(7, ((Heartbeat)Assert.Single(handler.Received)).Context);
        second.Dispose();
    }

    [Fact]
    public void MaxInboundConnections_must_be_positive()
    {
        var options = new RaftTransportOptions { LocalNodeId = 2, ClusterId = "c1", MaxInboundConnections = 0 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("MaxInboundConnections", error.Message);
    }
}
