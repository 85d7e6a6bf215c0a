using System.Net;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport.Grpc.Tests;

/// <summary>The transport conformance suite against <see cref="GrpcRaftTransport"/> over h2c on loopback.</summary>
public sealed class GrpcConformanceTests : TransportConformanceTests
{
    protected override IRaftMessageSerializer Serializer => ProtobufRaftMessageSerializer.Instance;

    protected override IRaftTransport CreateTransport(RaftTransportOptions options, ILoggerFactory loggerFactory, string? address) =>
        new GrpcRaftTransport(options, address is null ? new IPEndPoint(IPAddress.Loopback, 0) : GrpcRaftTransport.ParseEndPoint(address), Serializer, loggerFactory);

    protected override string GetAddress(IRaftTransport transport) => ((GrpcRaftTransport)transport).Address;

    protected override async ValueTask<IRawConnection> ConnectRawAsync(IRaftTransport target, NodeId claimedSender) =>
        await GrpcRawConnection.OpenAsync(GetAddress(target), ClusterId, claimedSender, ((GrpcRaftTransport)target).LocalNodeId);

    protected override int ActiveInboundConnections(IRaftTransport transport) => ((GrpcRaftTransport)transport).ActiveInboundConnections;
}
