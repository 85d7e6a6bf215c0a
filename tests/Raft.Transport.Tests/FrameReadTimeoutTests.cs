using System.IO.Pipelines;
using HsmRaft.Messages;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using Xunit;

namespace HsmRaft.Transport.Tests;

/// <summary>A peer that starts a frame and stops sending must not pin the frame's buffer: the connection is closed after
/// <see cref="RaftTransportOptions.FrameReadTimeout"/>, and the rejection names the setting.</summary>
public sealed class FrameReadTimeoutTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_peer_that_stalls_mid_frame_is_disconnected_and_whole_frames_before_it_are_delivered()
    {
        var options = new RaftTransportOptions { LocalNodeId = 2, ClusterId = "c1", FrameReadTimeout = TimeSpan.FromMilliseconds(200) };
        using var logs = new RecordingLoggerFactory();
        var receiver = new RaftFrameReceiver(options, ProtobufRaftMessageSerializer.Instance, id => id.Value == 1, logs.CreateLogger("test"));
        var handler = new RecordingHandler();
        receiver.Handler = handler;

        var first = FrameCrafter.Valid("c1", ProtobufRaftMessageSerializer.Instance, new Heartbeat { From = 1, To = 2, Term = 1, Context = 7 });
        var second = FrameCrafter.Valid("c1", ProtobufRaftMessageSerializer.Instance, new Heartbeat { From = 1, To = 2, Term = 1, Context = 8 });
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(first.Concat(second.Take(10)).ToArray()); // one whole frame and the start of the next
        var receiving = receiver.ReceiveAsync(pipe.Reader, "tcp://203.0.113.9:5000", CancellationToken.None);

        // The connection ends by itself (nothing more is written and the pipe is never completed).
        await receiving.WaitAsync(HangGuard);
        var delivered = Assert.Single(handler.Received);
        Assert.Equal(7, ((Heartbeat)delivered).Context);
        var warning = Assert.Single(logs.WarningsMentioning("tcp://203.0.113.9:5000"));
        Assert.Contains("FrameReadTimeout", warning.Message);
        Assert.Equal(0, receiver.ActiveConnections);
    }

    [Fact]
    public void FrameReadTimeout_must_be_positive()
    {
        var options = new RaftTransportOptions { LocalNodeId = 2, ClusterId = "c1", FrameReadTimeout = TimeSpan.Zero };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("FrameReadTimeout", error.Message);
    }
}
