using HsmRaft.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace HsmRaft.Hosting;

/// <summary>Customises the node <c>AddRaft</c> registers: its transport or serializer.</summary>
public sealed class RaftBuilder
{
    internal RaftBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    internal Func<IServiceProvider, RaftTransportOptions, string, IRaftTransport>? TransportFactory { get; private set; }

    internal IRaftMessageSerializer? Serializer { get; private set; }

    /// <summary>Plugs in a transport. The factory receives the validated transport options (node id, cluster id, limits, TLS)
    /// and this node's address. Set <c>Raft:Transport</c> to <c>custom</c>.</summary>
    public RaftBuilder UseTransport(Func<IServiceProvider, RaftTransportOptions, string, IRaftTransport> factory)
    {
        TransportFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Plugs in a message serializer for the built-in gRPC transport (the default is protobuf-net).</summary>
    public RaftBuilder UseSerializer(IRaftMessageSerializer serializer)
    {
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }
}
