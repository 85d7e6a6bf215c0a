using System.Text;
using HsmRaft.Runtime;
using HsmRaft.Storage;
using HsmRaft.Transport;
using HsmRaft.Transport.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace HsmRaft.Hosting.Tests;

/// <summary>A real one-node host: file storage in a temp directory, elected by itself, serving proposals and health checks.</summary>
public sealed class OneNodeHostTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_one_node_grpc_host_elects_itself_applies_proposals_is_healthy_and_releases_its_directory_on_stop()
    {
        var port = TestHost.FreePort();
        var settings = TestHost.OneNode(_dir.Path, port);

        using (var host = TestHost.Build(settings))
        {
            await host.StartAsync().WaitAsync(HangGuard);
            var node = host.Services.GetRequiredService<RaftNode>();
            Assert.Same(node, host.Services.GetRequiredService<IRaftNode>());
            Assert.Equal(new NodeId(1), await node.WaitForLeaderAsync().WaitAsync(HangGuard));

            // CounterStateMachine returns how many commands it has applied: its result must come back through ProposeAsync.
            Assert.Equal(1, await node.ProposeAsync("a"u8.ToArray()).AsTask().WaitAsync(HangGuard));
            Assert.Equal(2, await node.ProposeAsync("b"u8.ToArray()).AsTask().WaitAsync(HangGuard));

            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(HangGuard);
            Assert.Equal(HealthStatus.Healthy, report.Status);
            Assert.Equal(HealthStatus.Healthy, report.Entries["raft"].Status);
            Assert.Equal("Leader", report.Entries["raft"].Data["role"]);

            // While it runs, the directory is locked: a second host on it cannot start.
            using (var intruder = TestHost.Build(TestHost.OneNode(_dir.Path, TestHost.FreePort())))
            {
                await Assert.ThrowsAsync<StorageLockedException>(() => intruder.StartAsync().WaitAsync(HangGuard));
            }

            await host.StopAsync().WaitAsync(HangGuard);
        }

        // Stopped: the directory (and the port) are free again, and the committed commands survived.
        using var again = TestHost.Build(settings);
        await again.StartAsync().WaitAsync(HangGuard);
        var restarted = again.Services.GetRequiredService<RaftNode>();
        await restarted.WaitForLeaderAsync().WaitAsync(HangGuard);
        Assert.Equal(3, await restarted.ProposeAsync("c"u8.ToArray()).AsTask().WaitAsync(HangGuard));
        await again.StopAsync().WaitAsync(HangGuard);
    }

    [Fact]
    public async Task UseTransport_plugs_in_a_custom_transport_given_the_validated_options_and_this_nodes_address()
    {
        var settings = TestHost.OneNode(_dir.Path, 7001);
        settings["Raft:Transport"] = "custom";
        settings["Raft:ClusterId"] = "orders";
        var network = new InMemoryNetwork();
        RaftTransportOptions? given = null;
        string? givenAddress = null;

        using var host = TestHost.Build(settings, raft => raft.UseTransport((_, options, address) =>
        {
            given = options;
            givenAddress = address;
            return new InMemoryTransport(network, address, options);
        }));
        await host.StartAsync().WaitAsync(HangGuard);
        var node = host.Services.GetRequiredService<RaftNode>();
        await node.WaitForLeaderAsync().WaitAsync(HangGuard);
        Assert.Equal(1, await node.ProposeAsync(Encoding.UTF8.GetBytes("x")).AsTask().WaitAsync(HangGuard));
        await host.StopAsync().WaitAsync(HangGuard);

        Assert.NotNull(given);
        Assert.Equal(new NodeId(1), given.LocalNodeId);
        Assert.Equal("orders", given.ClusterId);
        Assert.Equal("http://127.0.0.1:7001", givenAddress);
    }

    [Fact]
    public void UseTransport_and_UseSerializer_reject_null()
    {
        var services = new ServiceCollection();
        var raft = services.AddRaft<HsmRaft.Testing.CounterStateMachine>();
        Assert.Throws<ArgumentNullException>(() => raft.UseTransport(null!));
        Assert.Throws<ArgumentNullException>(() => raft.UseSerializer(null!));
        Assert.Same(services, raft.Services);
    }
}
