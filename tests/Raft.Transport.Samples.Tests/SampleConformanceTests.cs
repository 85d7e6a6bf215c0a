using System.Net;
using HsmRaft.Samples.CustomSerializer;
using HsmRaft.Samples.TcpTransport;
using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport.Samples.Tests;

/// <summary>The transport conformance suite against the TCP sample; derived classes pick the serializer.</summary>
public abstract class TcpConformanceTests : TransportConformanceTests
{
    protected override IRaftTransport CreateTransport(RaftTransportOptions options, ILoggerFactory loggerFactory, string? address) =>
        new TcpRaftTransport(options, address is null ? new IPEndPoint(IPAddress.Loopback, 0) : TcpRaftTransport.ParseAddress(address), Serializer, loggerFactory);

    protected override string GetAddress(IRaftTransport transport) => ((TcpRaftTransport)transport).Address;

    protected override async ValueTask<IRawConnection> ConnectRawAsync(IRaftTransport target, NodeId claimedSender) =>
        await TcpRawConnection.OpenAsync(TcpRaftTransport.ParseAddress(GetAddress(target)));

    protected override int ActiveInboundConnections(IRaftTransport transport) => ((TcpRaftTransport)transport).ActiveInboundConnections;
}

/// <summary>TCP sample + the default protobuf serializer.</summary>
public sealed class TcpWithProtobufConformanceTests : TcpConformanceTests
{
    protected override IRaftMessageSerializer Serializer => ProtobufRaftMessageSerializer.Instance;
}

/// <summary>TCP sample + the hand-written serializer sample: both plug-in points replaced at once.</summary>
public sealed class TcpWithCompactSerializerConformanceTests : TcpConformanceTests
{
    protected override IRaftMessageSerializer Serializer => CompactBinarySerializer.Instance;
}

/// <summary>The serializer conformance suite against the hand-written serializer sample.</summary>
public sealed class CompactSerializerConformanceTests : SerializerConformanceTests
{
    protected override IRaftMessageSerializer Serializer => CompactBinarySerializer.Instance;
}
