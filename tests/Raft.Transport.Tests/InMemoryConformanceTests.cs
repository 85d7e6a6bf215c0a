using HsmRaft.Serialization.Protobuf;
using HsmRaft.Transport.Conformance;
using HsmRaft.Transport.InMemory;
using Microsoft.Extensions.Logging;

namespace HsmRaft.Transport.Tests;

/// <summary>The transport conformance suite against <see cref="InMemoryTransport"/> in framed mode (protobuf).</summary>
public sealed class InMemoryConformanceTests : TransportConformanceTests
{
    private readonly InMemoryNetwork _network = new();
    private int _rawConnections;

    protected override IRaftMessageSerializer Serializer => ProtobufRaftMessageSerializer.Instance;

    protected override IRaftTransport CreateTransport(RaftTransportOptions options, ILoggerFactory loggerFactory, string? address) =>
        new InMemoryTransport(_network, address ?? $"inmem://{options.LocalNodeId}", options, Serializer, loggerFactory);

    protected override string GetAddress(IRaftTransport transport) => ((InMemoryTransport)transport).Address;

    protected override ValueTask<IRawConnection> ConnectRawAsync(IRaftTransport target, NodeId claimedSender)
    {
        var remote = $"inmem-raw#{Interlocked.Increment(ref _rawConnections)}#";
        return ValueTask.FromResult<IRawConnection>(new Raw(_network.ConnectRaw(GetAddress(target), remote), remote));
    }

    protected override int ActiveInboundConnections(IRaftTransport transport) => ((InMemoryTransport)transport).ActiveInboundConnections;

    private sealed class Raw(InMemoryRawConnection connection, string localAddress) : IRawConnection
    {
        public string LocalAddress => localAddress;

        public Task Closed => connection.Closed;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => connection.WriteAsync(bytes);

        public ValueTask CompleteAsync() => connection.CompleteAsync();

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}

/// <summary>The serializer conformance suite against the default protobuf serializer.</summary>
public sealed class ProtobufSerializerConformanceTests : SerializerConformanceTests
{
    protected override IRaftMessageSerializer Serializer => ProtobufRaftMessageSerializer.Instance;
}
