using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>Where a node listens: its Raft (gRPC) and HTTP API addresses.</summary>
public readonly record struct NodeAddresses(string RaftUrl, string ApiUrl);

/// <summary>
/// A cluster of key-value node processes on this machine (children of this process), each with its own data directory under
/// <see cref="Root"/>. By default nodes listen on free loopback ports; <c>addresses</c> and <c>wrapper</c> place them elsewhere
/// (the partition tests run each in its own network namespace with <c>ip netns exec</c>). A node keeps its addresses and directory
/// across a kill and restart, as a real server would.
/// </summary>
public sealed class LocalCluster(
    string root,
    IReadOnlyList<string> nodeArguments,
    Func<ulong, NodeAddresses>? addresses = null,
    Func<ulong, IReadOnlyList<string>>? wrapper = null) : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<ulong, NodeSpec> _specs = [];
    private readonly Dictionary<ulong, NodeProcess> _processes = [];
    private readonly List<(ulong Id, string RaftUrl)> _founders = [];

    /// <summary>The directory holding every node's data directory and log file.</summary>
    public string Root { get; } = root;

    /// <summary>Node id → "running", "killed" or "stopped", for the view.</summary>
    public ConcurrentDictionary<ulong, string> ProcessStates { get; } = new();

    public IReadOnlyCollection<NodeSpec> Specs => _specs.Values;

    public NodeSpec Spec(ulong id) => _specs[id];

    public NodeProcess? Process(ulong id) => _processes.GetValueOrDefault(id);

    /// <summary>Gives the founding nodes their addresses (all must be known before the first starts).</summary>
    public void DefineFounders(params ulong[] ids)
    {
        var defined = ids.Select(id => (id, Address(id))).ToList();
        _founders.AddRange(defined.Select(d => (d.id, d.Item2.RaftUrl)));
        foreach (var (id, address) in defined)
        {
            Define(id, address);
        }
    }

    /// <summary>Gives a node that will join later its addresses and directory.</summary>
    public NodeSpec DefineJoiner(ulong id) => Define(id, Address(id));

    /// <summary>Starts (or restarts) a node's process and waits until it serves requests.</summary>
    public async Task<NodeProcess> StartAsync(ulong id, CancellationToken ct)
    {
        var spec = _specs[id];
        if (_processes.Remove(id, out var previous))
        {
            await previous.DisposeAsync();
        }

        var process = NodeProcess.Start(spec, Path.Combine(Root, $"node{id}.log"), wrapper?.Invoke(id));
        _processes[id] = process;
        ProcessStates[id] = "starting";
        await process.WaitReadyAsync(StartTimeout, ct);
        ProcessStates[id] = "running";
        return process;
    }

    /// <summary>SIGKILL: the node dies mid-work, as in a crash.</summary>
    public async Task KillAsync(ulong id)
    {
        var process = _processes[id];
        process.Kill();
        await process.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        ProcessStates[id] = "killed";
    }

    /// <summary>SIGTERM: the node stops cleanly (a leader hands over first).</summary>
    public async Task<int> StopAsync(ulong id)
    {
        var code = await _processes[id].StopAsync(TimeSpan.FromSeconds(20));
        ProcessStates[id] = "stopped";
        return code;
    }

    public string Api(ulong id) => _specs[id].ApiUrl;

    public List<string> Apis(IEnumerable<ulong> ids) => ids.Select(Api).ToList();

    private NodeAddresses Address(ulong id) =>
        addresses?.Invoke(id) ?? new NodeAddresses($"http://127.0.0.1:{FreePort()}", $"http://127.0.0.1:{FreePort()}");

    private NodeSpec Define(ulong id, NodeAddresses address)
    {
        var spec = new NodeSpec(id, address.RaftUrl, address.ApiUrl, Path.Combine(Root, $"node{id}"), _founders, nodeArguments);
        _specs[id] = spec;
        ProcessStates[id] = "not started";
        return spec;
    }

    /// <summary>A currently free loopback port (the OS picks it; it stays free unless another program grabs it first).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }
    }
}
