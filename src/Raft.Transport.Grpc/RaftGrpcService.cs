using System.Globalization;
using System.Text;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace HsmRaft.Transport.Grpc;

/// <summary>
/// The server side of <see cref="RaftGrpcProtocol.StreamMethod"/>: checks the handshake, then feeds every batch of the
/// stream to an inbound session of the transport's <see cref="RaftFrameReceiver"/>. Awaiting the handler before
/// reading the next batch lets HTTP/2 flow control push back on the sender.
/// </summary>
/// <param name="receiver">Validates and delivers the frames.</param>
/// <param name="checkIdentity">With mutual TLS: why the client certificate may not speak for the sender it claims, or null.</param>
/// <param name="stopping">Cancelled when the transport stops.</param>
internal sealed class RaftGrpcService(RaftFrameReceiver receiver, Func<NodeId, System.Security.Cryptography.X509Certificates.X509Certificate2?, string?>? checkIdentity, CancellationToken stopping)
{
    public async Task<StreamClosed> StreamAsync(IAsyncStreamReader<FrameBatch> requests, ServerCallContext context)
    {
        var connection = context.GetHttpContext().Connection;
        var remote = $"{connection.RemoteIpAddress}:{connection.RemotePort}";
        // Ends with the call or with the transport, so stopping the server does not wait for peers to hang up.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        var cancellationToken = cancellation.Token;
        using var session = receiver.Open(remote);
        if (session.Refused)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "The node has as many inbound streams as it accepts; try again later."));
        }

        if ((CheckHandshake(context.RequestHeaders, session) ?? CheckIdentity(session.Reader.Sender, connection.ClientCertificate)) is { } refusal)
        {
            session.Reject(refusal);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refusal));
        }

        await context.WriteResponseHeadersAsync([new Metadata.Entry(RaftGrpcProtocol.AcceptedHeader, "1")]).ConfigureAwait(false);
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (!await session.ReceiveBatchAsync(requests.Current.Frames, cancellationToken).ConfigureAwait(false))
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "The stream carried an invalid frame and was closed; the receiving node logged why."));
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            // gRPC refused a batch over its receive limit from the length prefix alone, before buffering it.
            session.Reject($"Rejected frame ({RaftFrameError.MessageTooLarge}): {e.Status.Detail}");
            throw;
        }
        catch (Exception e) when (e is not RpcException && session.TryHandleFailure(e, cancellationToken))
        {
        }

        return StreamClosed.Instance;
    }

    private string? CheckIdentity(NodeId sender, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate) =>
        checkIdentity?.Invoke(sender, certificate) is { } problem ? $"TLS: {problem}" : null;

    private static string? CheckHandshake(Metadata headers, RaftFrameReceiver.InboundSession session)
    {
        var version = headers.GetValue(RaftGrpcProtocol.WireVersionHeader);
        if (version != RaftFrameHeader.CurrentWireVersion.ToString(CultureInfo.InvariantCulture))
        {
            return $"Rejected frame ({RaftFrameError.UnsupportedWireVersion}): the peer speaks wire version '{version}' but this node speaks version " +
                   $"{RaftFrameHeader.CurrentWireVersion}; run the same HsmRaft wire version on every node (see docs/transports.md, wire version policy).";
        }

        if (!ulong.TryParse(headers.GetValue(RaftGrpcProtocol.SenderHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var sender) ||
            !ulong.TryParse(headers.GetValue(RaftGrpcProtocol.ReceiverHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var receiverId))
        {
            return $"Rejected frame ({RaftFrameError.UnknownSender}): the call lacks valid {RaftGrpcProtocol.SenderHeader}/{RaftGrpcProtocol.ReceiverHeader} headers; it does not come from an HsmRaft node.";
        }

        try
        {
            var cluster = headers.GetValue(RaftGrpcProtocol.ClusterHeader) ?? "";
            session.Reader.ValidateEnvelope(Encoding.ASCII.GetBytes(cluster.Length > RaftTransportOptions.MaxClusterIdLength ? cluster[..RaftTransportOptions.MaxClusterIdLength] : cluster), sender, receiverId);
            return null;
        }
        catch (RaftFrameException e)
        {
            return e.Message;
        }
    }

    /// <summary>Binds the streaming method without generated code.</summary>
    internal sealed class MethodProvider : IServiceMethodProvider<RaftGrpcService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<RaftGrpcService> context) =>
            context.AddClientStreamingMethod(RaftGrpcProtocol.StreamMethod, [], (service, requests, callContext) => service.StreamAsync(requests, callContext));
    }
}
