using System.Security.Cryptography.X509Certificates;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Transport;
using HsmRaft.Transport.Grpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HsmRaft.Hosting;

/// <summary>Registers an HsmRaft node in a generic host.</summary>
public static class RaftServiceCollectionExtensions
{
    /// <summary>
    /// Adds a Raft node applying commands to <typeparamref name="TStateMachine"/>, with file storage, the gRPC transport and a
    /// hosted service that starts it with the host and hands leadership over when the host stops. Options bind from the
    /// <c>Raft</c> configuration section (when an <see cref="IConfiguration"/> is registered) and then from
    /// <paramref name="configure"/>; they are validated at start-up.
    /// </summary>
    public static RaftBuilder AddRaft<TStateMachine>(this IServiceCollection services, Action<RaftHostingOptions>? configure = null)
        where TStateMachine : class, IRaftStateMachine
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new RaftBuilder(services);
        var options = services.AddOptions<RaftHostingOptions>();
        options.Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<IConfiguration>() is { } configuration)
            {
                configuration.GetSection(RaftHostingOptions.SectionName).Bind(o);
            }
        });
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RaftHostingOptions>, RaftHostingOptionsValidator>());
        services.TryAddSingleton<TStateMachine>();
        services.TryAddSingleton<IRaftStateMachine>(sp => sp.GetRequiredService<TStateMachine>());
        services.TryAddSingleton(sp => CreateNode(sp, builder));
        services.TryAddSingleton<IRaftNode>(sp => sp.GetRequiredService<RaftNode>());
        services.AddHostedService<RaftHostedService>();
        return builder;
    }

    /// <summary>Adds a health check named <c>raft</c>: healthy when the node knows a leader and has applied what it knows is
    /// committed (within <see cref="RaftHostingOptions.HealthMaxApplyLag"/>).</summary>
    public static IHealthChecksBuilder AddRaftHealthCheck(this IHealthChecksBuilder builder, string name = "raft") =>
        builder.AddCheck<RaftHealthCheck>(name, HealthStatus.Unhealthy, ["raft"]);

    private static RaftNode CreateNode(IServiceProvider sp, RaftBuilder builder)
    {
        var o = sp.GetRequiredService<IOptions<RaftHostingOptions>>().Value;
        var loggerFactory = sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var members = o.Members.Select(m => new ClusterMember(new NodeId(m.Id), m.Address)).ToList();
        var address = o.Address ?? members.First(m => m.Id.Value == o.NodeId).Address;
        var nodeOptions = new RaftNodeOptions
        {
            Id = new NodeId(o.NodeId),
            InitialMembers = o.Join ? [] : members,
            KnownPeers = members,
            TickInterval = TimeSpan.FromMilliseconds(o.TickIntervalMilliseconds),
            SnapshotEveryEntries = o.SnapshotEveryEntries,
            SnapshotEveryBytes = o.SnapshotEveryBytes,
            SnapshotTrailingEntries = o.SnapshotTrailingEntries,
            TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
            Protocol = new RaftCoreOptions
            {
                ElectionTicks = o.ElectionTicks,
                HeartbeatTicks = o.HeartbeatTicks,
                PreVote = o.PreVote,
                CheckQuorum = o.CheckQuorum,
                LeaseReads = o.LeaseReads,
            },
        };
        var transportOptions = new RaftTransportOptions
        {
            LocalNodeId = nodeOptions.Id,
            ClusterId = o.ClusterId,
            Security = LoadSecurity(o),
        };
        var transport = o.Transport == "custom"
            ? (builder.TransportFactory ?? throw new OptionsValidationException(RaftHostingOptions.SectionName, typeof(RaftHostingOptions),
                ["Raft:Transport is 'custom' but no transport was registered; call AddRaft<...>().UseTransport(...)."]))(sp, transportOptions, address)
            : new GrpcRaftTransport(transportOptions, GrpcRaftTransport.ParseEndPoint(address), builder.Serializer, loggerFactory, nodeOptions.TimeProvider);
        var storage = FileStorage.Open(new FileStorageOptions
        {
            Directory = o.DataDirectory,
            SegmentSize = o.SegmentSizeBytes,
            FsyncMode = Enum.Parse<FsyncMode>(o.FsyncMode, ignoreCase: true),
        }, loggerFactory.CreateLogger("HsmRaft.Storage"));
        return new RaftNode(nodeOptions, sp.GetRequiredService<IRaftStateMachine>(), storage.Log, storage.Stable, storage.Snapshots, transport,
            loggerFactory.CreateLogger<RaftNode>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    private static TransportSecurityOptions? LoadSecurity(RaftHostingOptions o)
    {
        if (o.CertificatePath is null)
        {
            return null;
        }

        var security = new TransportSecurityOptions
        {
            Certificate = X509CertificateLoader.LoadPkcs12FromFile(o.CertificatePath, o.CertificatePassword),
            RequireClientCertificate = o.TrustedCaPath is not null,
        };
        if (o.TrustedCaPath is not null)
        {
            security.TrustedAuthorities.ImportFromPemFile(o.TrustedCaPath);
        }

        return security;
    }
}
