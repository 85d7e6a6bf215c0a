using System.Net;
using System.Net.Sockets;
using HsmRaft.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HsmRaft.Hosting.Tests;

/// <summary>Builds real generic hosts running <c>AddRaft&lt;CounterStateMachine&gt;()</c>, configured only through in-memory
/// <c>Raft:...</c> keys, as an application's appsettings.json or command line would.</summary>
internal static class TestHost
{
    /// <summary>Settings for a valid one-node cluster; tests override or remove keys to make them invalid.</summary>
    public static Dictionary<string, string?> OneNode(string dataDirectory, int port) => new()
    {
        ["Raft:NodeId"] = "1",
        ["Raft:Members:0:Id"] = "1",
        ["Raft:Members:0:Address"] = $"http://127.0.0.1:{port}",
        ["Raft:DataDirectory"] = dataDirectory,
        // Short ticks so the single node elects itself within a few hundred milliseconds.
        ["Raft:TickIntervalMilliseconds"] = "10",
        ["Raft:FsyncMode"] = "UnsafeNoSync",
    };

    public static IHost Build(IReadOnlyDictionary<string, string?> settings, Action<RaftBuilder>? customize = null)
    {
        // No defaults: the machine's environment variables or an appsettings.json must not leak into the test's configuration.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        var raft = builder.Services.AddRaft<CounterStateMachine>();
        customize?.Invoke(raft);
        builder.Services.AddHealthChecks().AddRaftHealthCheck();
        return builder.Build();
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>A fresh directory under the temp folder, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hsmraft-hosting-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test that already reported its result.
        }
    }
}
