using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using HsmRaft.Transport.Conformance;

namespace HsmRaft.Transport.Grpc.Tests;

/// <summary>A raw streaming call to a gRPC transport endpoint: each write is one request message (one "batch") of
/// arbitrary bytes. Its own channel and HTTP/2 connection, so its local port identifies it in the endpoint's logs.</summary>
internal sealed class GrpcRawConnection : IRawConnection
{
    private readonly GrpcChannel _channel;
    private readonly AsyncClientStreamingCall<FrameBatch, StreamClosed> _call;
    private readonly EndPoint _local;

    private GrpcRawConnection(GrpcChannel channel, AsyncClientStreamingCall<FrameBatch, StreamClosed> call, EndPoint local)
    {
        _channel = channel;
        _call = call;
        _local = local;
        Closed = call.ResponseAsync.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    // Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; the IPv4 listener logs the plain form.
    public string LocalAddress => _local is IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip
        ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString()
        : _local.ToString()!;

    public Task Closed { get; }

    public static async ValueTask<GrpcRawConnection> OpenAsync(string address, string clusterId, NodeId claimedSender, NodeId receiver, HttpMessageHandler? handler = null)
    {
        EndPoint? local = null;
        var sockets = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                local = socket.LocalEndPoint;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler ?? sockets });
        var call = channel.CreateCallInvoker().AsyncClientStreamingCall(
            RaftGrpcProtocol.StreamMethod, null, new CallOptions(RaftGrpcProtocol.Handshake(clusterId, claimedSender, receiver)));
        try
        {
            await call.ResponseHeadersAsync;
        }
        catch (RpcException)
        {
            // Refused at the handshake: Closed reports it.
        }

        return new GrpcRawConnection(channel, call, local ?? throw new InvalidOperationException("The raw call never connected."));
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _call.RequestStream.WriteAsync(new FrameBatch(bytes));
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            // The endpoint already closed the stream, as it should after bad input.
        }
    }

    public async ValueTask CompleteAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
