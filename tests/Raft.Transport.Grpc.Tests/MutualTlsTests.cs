using System.Net;
using HsmRaft.Messages;
using HsmRaft.Transport.Conformance;
using Xunit;

namespace HsmRaft.Transport.Grpc.Tests;

/// <summary>Mutual TLS: nodes with certificates from the cluster CA talk; a certificate from another CA is refused,
/// on either side of the connection, and the refusal is logged with the reason.</summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TestCertificateAuthority _clusterCa = new("HsmRaft test cluster CA");
    private readonly TestCertificateAuthority _otherCa = new("Some other CA");
    private readonly RecordingLoggerFactory _logs = new();
    private readonly List<GrpcRaftTransport> _transports = [];

    [Fact]
    public async Task Nodes_with_certificates_from_the_cluster_CA_exchange_messages()
    {
        var (a, _) = await StartAsync(1, _clusterCa);
        var (b, bHandler) = await StartAsync(2, _clusterCa);
        Assert.StartsWith("https://", a.Address, StringComparison.Ordinal);
        Connect(a, b);

        a.Send(new Heartbeat { From = 1, To = 2, Term = 1, Context = 7 });
        var received = await bHandler.WaitForAsync(m => m is Heartbeat { Context: 7 }, HangGuard, "the heartbeat over mutual TLS");
        Assert.Equal((NodeId)1, received.From);
        Assert.True(a.GetPeerHealth(2).Connected);
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_another_CA_is_refused_and_the_server_keeps_serving()
    {
        var (server, serverHandler) = await StartAsync(1, _clusterCa);
        var (intruder, _) = await StartAsync(2, _otherCa, trusted: _clusterCa);
        var (member, _) = await StartAsync(3, _clusterCa);
        server.UpdatePeers([new ClusterMember(2, intruder.Address), new ClusterMember(3, member.Address)]);
        intruder.UpdatePeers([new ClusterMember(1, server.Address)]);
        member.UpdatePeers([new ClusterMember(1, server.Address)]);

        intruder.Send(new Heartbeat { From = 2, To = 1, Term = 1, Context = 666 });
        var refusal = await _logs.WaitForAsync(r => r.Message.Contains("TLS:") && r.Message.Contains("does not chain"), HangGuard, "the server refusing the intruder's certificate");
        Assert.Contains("Some other CA", refusal.Message);
        await _logs.WaitForWarningAsync(server.Address, HangGuard);
        Assert.False(intruder.GetPeerHealth(1).Connected);

        member.Send(new Heartbeat { From = 3, To = 1, Term = 1, Context = 3 });
        await serverHandler.WaitForAsync(m => m is Heartbeat { Context: 3 }, HangGuard, "the member's heartbeat");
        Assert.DoesNotContain(serverHandler.Received, m => m.From == 2);
    }

    [Fact]
    public async Task A_server_with_a_certificate_from_another_CA_is_refused_by_the_client()
    {
        var (impostor, impostorHandler) = await StartAsync(1, _otherCa, trusted: _clusterCa, requireClientCertificate: false);
        var (client, _) = await StartAsync(2, _clusterCa);
        impostor.UpdatePeers([new ClusterMember(2, client.Address)]);
        client.UpdatePeers([new ClusterMember(1, impostor.Address)]);

        client.Send(new Heartbeat { From = 2, To = 1, Term = 1 });
        var warning = await _logs.WaitForWarningAsync(impostor.Address, HangGuard);
        Assert.Contains("TLS:", warning.Message);
        Assert.Contains("does not chain", warning.Message);
        Assert.Empty(impostorHandler.Received);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }

        _clusterCa.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task A_cluster_certificate_cannot_claim_another_nodes_id()
    {
        // Node 2 lives at 127.0.0.2 with a certificate naming it. Another holder of a cluster certificate (naming
        // 127.0.0.1) sets LocalNodeId = 2: its TLS handshake succeeds, but it must not be able to speak as node 2.
        var (server, serverHandler) = await StartAsync(1, _clusterCa);
        var (node2, _) = await StartAsync(2, _clusterCa, listenOn: IPAddress.Parse("127.0.0.2"));
        var (impostor, _) = await StartAsync(2, _clusterCa);
        server.UpdatePeers([new ClusterMember(2, node2.Address)]);
        impostor.UpdatePeers([new ClusterMember(1, server.Address)]);

        impostor.Send(new Heartbeat { From = 2, To = 1, Term = 1, Context = 666 });
        var refusal = await _logs.WaitForAsync(r => r.Message.Contains("does not name", StringComparison.Ordinal), HangGuard, "the server refusing the impostor");
        Assert.Contains("127.0.0.2", refusal.Message, StringComparison.Ordinal);

        node2.UpdatePeers([new ClusterMember(1, server.Address)]);
        node2.Send(new Heartbeat { From = 2, To = 1, Term = 1, Context = 2 });
        await serverHandler.WaitForAsync(m => m is Heartbeat { Context: 2 }, HangGuard, "node 2's heartbeat");
        Assert.DoesNotContain(serverHandler.Received, m => m is Heartbeat { Context: 666 });
    }

    private async Task<(GrpcRaftTransport Transport, RecordingHandler Handler)> StartAsync(
        NodeId id, TestCertificateAuthority issuer, TestCertificateAuthority? trusted = null, bool requireClientCertificate = true,
        IPAddress? listenOn = null)
    {
        var options = new RaftTransportOptions
        {
            LocalNodeId = id,
            ClusterId = "tls-test",
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(20),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(200),
            Security = new TransportSecurityOptions
            {
                Certificate = issuer.IssueNodeCertificate($"node-{id}", listenOn ?? IPAddress.Loopback),
                TrustedAuthorities = [(trusted ?? issuer).Certificate],
                RequireClientCertificate = requireClientCertificate,
            },
        };
        var transport = new GrpcRaftTransport(options, new IPEndPoint(listenOn ?? IPAddress.Loopback, 0), loggerFactory: _logs);
        _transports.Add(transport);
        var handler = new RecordingHandler();
        await transport.StartAsync(handler);
        return (transport, handler);
    }

    private static void Connect(GrpcRaftTransport a, GrpcRaftTransport b)
    {
        a.UpdatePeers([new ClusterMember(b.LocalNodeId, b.Address)]);
        b.UpdatePeers([new ClusterMember(a.LocalNodeId, a.Address)]);
    }
}
