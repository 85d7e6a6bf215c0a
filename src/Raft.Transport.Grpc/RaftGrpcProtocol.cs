using System.Buffers;
using Grpc.Core;

namespace HsmRaft.Transport.Grpc;

/// <summary>One gRPC request message: a batch of whole HsmRaft frames (see <see cref="RaftFrameHeader"/>).</summary>
/// <param name="Frames">The frames, back to back.</param>
public sealed record FrameBatch(ReadOnlyMemory<byte> Frames);

/// <summary>The (empty) response that ends a stream.</summary>
public sealed class StreamClosed
{
    /// <summary>The only instance.</summary>
    public static StreamClosed Instance { get; } = new();
}

/// <summary>
/// The gRPC contract of the transport, for anyone writing a compatible peer: one client-streaming method,
/// <c>/hsmraft.transport.v1.RaftTransport/Stream</c>, whose request messages are raw frame batches (no protobuf
/// wrapper) and whose response is empty. The call's request headers carry a handshake (<see cref="ClusterHeader"/>,
/// <see cref="SenderHeader"/>, <see cref="ReceiverHeader"/>, <see cref="WireVersionHeader"/>) that the server checks
/// before it accepts the stream; it answers an accepted stream with the response header <see cref="AcceptedHeader"/>
/// and rejects any other with status FAILED_PRECONDITION and a detail that says why.
/// </summary>
public static class RaftGrpcProtocol
{
    /// <summary>The service name.</summary>
    public const string ServiceName = "hsmraft.transport.v1.RaftTransport";

    /// <summary>Request header: the sender's cluster id.</summary>
    public const string ClusterHeader = "hsmraft-cluster";

    /// <summary>Request header: the sender's node id (decimal).</summary>
    public const string SenderHeader = "hsmraft-sender";

    /// <summary>Request header: the node id the sender believes it is calling (decimal).</summary>
    public const string ReceiverHeader = "hsmraft-receiver";

    /// <summary>Request header: the sender's wire version (decimal).</summary>
    public const string WireVersionHeader = "hsmraft-wire-version";

    /// <summary>Response header sent when the server accepts the stream.</summary>
    public const string AcceptedHeader = "hsmraft-accepted";

    /// <summary>The marshaller of request batches: the gRPC message is the frames, byte for byte.</summary>
    public static Marshaller<FrameBatch> FrameBatchMarshaller { get; } = Marshallers.Create<FrameBatch>(
        (batch, context) =>
        {
            context.SetPayloadLength(batch.Frames.Length);
            var writer = context.GetBufferWriter();
            writer.Write(batch.Frames.Span);
            context.Complete();
        },
        // A fresh array per batch: the frames are parsed from it and the messages' payloads are copied out of it.
        context => new FrameBatch(context.PayloadAsNewBuffer()));

    /// <summary>The marshaller of the empty response.</summary>
    public static Marshaller<StreamClosed> StreamClosedMarshaller { get; } = Marshallers.Create<StreamClosed>(
        (_, context) => context.Complete([]),
        _ => StreamClosed.Instance);

    /// <summary>The streaming method.</summary>
    public static Method<FrameBatch, StreamClosed> StreamMethod { get; } =
        new(MethodType.ClientStreaming, ServiceName, "Stream", FrameBatchMarshaller, StreamClosedMarshaller);

    /// <summary>The handshake headers a sender presents.</summary>
    public static Metadata Handshake(string clusterId, NodeId sender, NodeId receiver) =>
    [
        new Metadata.Entry(ClusterHeader, clusterId),
        new Metadata.Entry(SenderHeader, sender.ToString()),
        new Metadata.Entry(ReceiverHeader, receiver.ToString()),
        new Metadata.Entry(WireVersionHeader, RaftFrameHeader.CurrentWireVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
