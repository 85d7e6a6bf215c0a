using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server.Model;
using Grpc.Net.Client;
using HsmRaft.Serialization.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HsmRaft.Transport.Grpc;

/// <summary>
/// The gRPC transport: a Kestrel-hosted HTTP/2 endpoint (cleartext h2c, TLS, or mutual TLS per
/// <see cref="RaftTransportOptions.Security"/>) receives one long-lived client-streaming call per peer, and one
/// <see cref="GrpcChannel"/> per peer (its own HTTP/2 connection, so peers never share a congestion window) carries this
/// node's outbound stream. Queueing, batching, backoff and health come from <see cref="RaftTransportBase"/>.
/// Peer addresses are URLs: <c>http://host:port</c> (cleartext) or <c>https://host:port</c> (TLS).
/// </summary>
public sealed class GrpcRaftTransport : RaftTransportBase
{
    private readonly IPEndPoint _listenOn;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<string, PeerChannel> _channels = new(StringComparer.Ordinal);
    private WebApplication? _server;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Node id, cluster id, limits and TLS settings; validated here.</param>
    /// <param name="listenOn">Where to listen, e.g. <c>127.0.0.1:0</c> for any free loopback port.</param>
    /// <param name="serializer">Payload serializer; null for <see cref="ProtobufRaftMessageSerializer"/>.</param>
    /// <param name="loggerFactory">Where the transport, Kestrel and gRPC log; null for nowhere.</param>
    /// <param name="timeProvider">Clock for backoff and timeouts; null for the system clock.</param>
    public GrpcRaftTransport(
        RaftTransportOptions options,
        IPEndPoint listenOn,
        IRaftMessageSerializer? serializer = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
        : base(options, serializer ?? ProtobufRaftMessageSerializer.Instance, loggerFactory, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(listenOn);
        _listenOn = listenOn;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The URL peers reach this node at (its <see cref="ClusterMember.Address"/>); known once started.</summary>
    public string Address { get; private set; } = "";

    private bool UsesTls => Options.Security?.IsEnabled == true;

    /// <summary>Parses a transport address (<c>http://127.0.0.1:5001</c>) into the endpoint to listen on.</summary>
    public static IPEndPoint ParseEndPoint(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
        {
            throw new FormatException($"'{address}' is not a gRPC transport address; use http://IP:port or https://IP:port, for example http://127.0.0.1:5001.");
        }

        return new IPEndPoint(ip, uri.Port);
    }

    /// <inheritdoc />
    protected override async ValueTask StartListeningAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(Logger<>)));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.MaxFrameSize = 256 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(15);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
            kestrel.Listen(_listenOn, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (UsesTls)
                {
                    listen.UseHttps(ServerTlsOptions());
                }
            });
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(grpc =>
        {
            // A batch holds whole frames and closes once past BatchTargetBytes, so one frame past the target is the most.
            grpc.MaxReceiveMessageSize = BatchTargetBytes + Math.Max(Options.MaxMessageSize, Options.MaxChunkSize + RaftFrameHeader.SnapshotMetadataAllowance) + 1024;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton(new RaftGrpcService(Receiver, Options.Security is { IsEnabled: true, RequireClientCertificate: true } ? CheckPeerIdentity : null, Stopping));
        builder.Services.AddSingleton<IServiceMethodProvider<RaftGrpcService>, RaftGrpcService.MethodProvider>();
        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<RaftGrpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _server = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        Address = string.Create(CultureInfo.InvariantCulture, $"{(UsesTls ? "https" : "http")}://{new IPEndPoint(_listenOn.Address, port)}");
    }

    /// <inheritdoc />
    protected override async ValueTask StopListeningAsync()
    {
        if (_server is { } server)
        {
            // Inbound streams are cancelled at once; Raft needs no graceful drain.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await server.StopAsync(timeout.Token).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<IRaftConnection> ConnectAsync(ClusterMember peer, CancellationToken cancellationToken)
    {
        var (channel, tlsProblem) = _channels.GetOrAdd(peer.Address, CreateChannel);
        tlsProblem.Value = null;
        try
        {
            return await GrpcPeerConnection.OpenAsync(channel.CreateCallInvoker(), RaftGrpcProtocol.Handshake(Options.ClusterId, Options.LocalNodeId, peer.Id), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IOException e) when (tlsProblem.Value is { } problem)
        {
            throw new AuthenticationException($"TLS: {problem}", e);
        }
    }

    /// <summary>The gRPC channels this transport holds, one per peer address it has connected to (monitoring; a removed
    /// peer's channel is released once its link has stopped).</summary>
    public int OpenPeerChannels => _channels.Count;

    /// <inheritdoc />
    protected override void OnPeerLinkRemoved(ClusterMember member, Task stopped) =>
        _ = stopped.ContinueWith(static (_, state) =>
        {
            var (transport, removed) = ((GrpcRaftTransport, ClusterMember))state!;
            transport.ReleaseChannel(removed);
        }, (this, member), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Disposes the channel to the removed peer's address unless a current peer (a new one on the same address) uses
    /// it. Should a link for that address connect in between, its attempt fails and its next one makes a new channel.</summary>
    private void ReleaseChannel(ClusterMember removed)
    {
        if (!IsPeerAddress(removed.Address) && _channels.TryRemove(removed.Address, out var peer))
        {
            peer.Channel.Dispose();
            TransportLog.PeerReleased(Logger, removed.Id, removed.Address);
        }
    }

    /// <inheritdoc />
    protected override ValueTask DisposeCoreAsync()
    {
        foreach (var peer in _channels.Values)
        {
            peer.Channel.Dispose();
        }

        _channels.Clear();
        return ValueTask.CompletedTask;
    }

    private string? CheckPeerIdentity(NodeId sender, X509Certificate2? certificate) =>
        FindPeer(sender) is { } member ? TransportSecurityOptions.ValidatePeerIdentity(certificate, member) : $"node {sender} is not a peer";

    private PeerChannel CreateChannel(string address)
    {
        var tlsProblem = new StrongBox<string?>();
        var handler = new SocketsHttpHandler
        {
            // One connection per peer: its streams never queue behind another peer's.
            EnableMultipleHttp2Connections = false,
            // A live stream keeps the connection busy; an idle one (the peer was removed) is closed after a minute.
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            KeepAlivePingDelay = TimeSpan.FromSeconds(15),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = Options.ConnectTimeout,
        };
        if (Options.Security is { IsEnabled: true } security)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificates = [security.Certificate!],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    tlsProblem.Value = security.ValidatePeerCertificate(certificate, errors, checkName: true);
                    return tlsProblem.Value is null;
                },
            };
        }

        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            LoggerFactory = _loggerFactory,
            MaxSendMessageSize = null,
        });
        return new PeerChannel(channel, tlsProblem);
    }

    private TlsHandshakeCallbackOptions ServerTlsOptions()
    {
        var security = Options.Security!;
        var certificate = SslStreamCertificateContext.Create(security.Certificate!, additionalCertificates: null);
        return new TlsHandshakeCallbackOptions
        {
            // Options per connection, so a refused peer is logged once, with its address and the reason.
            OnConnection = context =>
            {
                var remote = context.Connection.RemoteEndPoint?.ToString() ?? "unknown";
                return ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                    ClientCertificateRequired = security.RequireClientCertificate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = security.RequireClientCertificate
                        ? (_, peerCertificate, _, errors) =>
                        {
                            var problem = security.ValidatePeerCertificate(peerCertificate, errors, checkName: false);
                            if (problem is not null)
                            {
                                TransportLog.InboundRejected(Logger, remote, $"TLS: {problem}");
                            }

                            return problem is null;
                        }
                        : null,
                });
            },
        };
    }

    /// <summary>A peer's channel, and why TLS last refused the peer's certificate (the TLS stack's own error says only "rejected").</summary>
    private sealed record PeerChannel(GrpcChannel Channel, StrongBox<string?> TlsProblem);
}
