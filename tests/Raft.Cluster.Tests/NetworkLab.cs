using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using HsmRaft.Samples.KeyValueStore.Client;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// A private network for partition tests: one Linux network namespace per node, each joined by a veth pair to a bridge in the
/// root namespace. The bridge holds an address in the nodes' subnet, so the test process reaches every node's API directly, while
/// partitions are iptables DROP rules inside the nodes' namespaces between node addresses only: the test keeps watching both sides
/// of a partition. Names carry the process id and a random tag, so parallel runs never collide and a later run removes what a
/// killed run left behind; the subnet is chosen among 10.x.y.0/24
/// ranges not in use, and the route to it is checked to stay on the bridge before any traffic flows. Needs Linux, root, iproute2
/// and iptables; <see cref="WhyUnavailable"/> says exactly what is missing.
/// </summary>
internal sealed class NetworkLab : IAsyncDisposable
{
    public const int RaftPort = 7000;
    public const int ApiPort = 8000;

    private readonly string _tag;
    private readonly string _subnet;
    private readonly List<ulong> _nodes;
    private readonly List<string> _cleanup = [];

    private NetworkLab(string tag, string subnet, IEnumerable<ulong> nodes)
    {
        _tag = tag;
        _subnet = subnet;
        _nodes = [.. nodes];
    }

    private string Bridge => $"hrb{_tag}";

    /// <summary>The namespace a node runs in.</summary>
    public string Namespace(ulong id) => $"hsmraft-{Environment.ProcessId}-{_tag}-n{id}";

    /// <summary>A node's IPv4 address.</summary>
    public string Ip(ulong id) => $"{_subnet}.{id}";

    /// <summary>Where a node listens (Raft and API on its own address).</summary>
    public NodeAddresses Addresses(ulong id) => new($"http://{Ip(id)}:{RaftPort}", $"http://{Ip(id)}:{ApiPort}");

    /// <summary>The command prefix that runs a program inside a node's namespace.</summary>
    public IReadOnlyList<string> Wrapper(ulong id) => [Tool("ip"), "netns", "exec", Namespace(id)];

    /// <summary>Null when partition tests can run here; otherwise the exact reason they cannot.</summary>
    public static async Task<string?> WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"network namespaces need Linux; this is {RuntimeInformation.OSDescription}";
        }

        if (Environment.UserName != "root")
        {
            return $"creating network namespaces needs root; running as '{Environment.UserName}'";
        }

        foreach (var tool in new[] { "ip", "iptables", "iptables-restore" })
        {
            if (FindOnPath(tool) is null)
            {
                return $"'{tool}' is not installed (apt-get install iproute2 iptables; .ci/run does this)";
            }
        }

        var probe = $"hsmraft-probe-{Environment.ProcessId}";
        var add = await RunAsync("ip", ["netns", "add", probe], check: false);
        if (add.ExitCode != 0)
        {
            return $"'ip netns add' failed here (exit {add.ExitCode}): {add.Error.Trim()}";
        }

        var rules = await RunAsync("ip", ["netns", "exec", probe, Tool("iptables"), "-A", "INPUT", "-s", "10.255.255.1", "-j", "DROP"], check: false);
        await RunAsync("ip", ["netns", "delete", probe], check: false);
        return rules.ExitCode != 0 ? $"iptables does not work inside a network namespace (exit {rules.ExitCode}): {rules.Error.Trim()}" : null;
    }

    /// <summary>Creates the bridge and one namespace per node.</summary>
    public static async Task<NetworkLab> CreateAsync(IEnumerable<ulong> nodes)
    {
        await RemoveAbandonedAsync();
        var tag = Random.Shared.Next(0x1000, 0xFFFF).ToString("x4", CultureInfo.InvariantCulture);
        var lab = new NetworkLab(tag, await FreeSubnetAsync(), nodes);
        try
        {
            await lab.SetUpAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        await Ip("link", "add", Bridge, "type", "bridge");
        _cleanup.Add($"link delete {Bridge}");
        await Ip("addr", "add", $"{_subnet}.254/24", "dev", Bridge);
        await Ip("link", "set", Bridge, "up");
        foreach (var id in _nodes)
        {
            var ns = Namespace(id);
            var veth = $"hrv{_tag}{id}";
            await Ip("netns", "add", ns);
            _cleanup.Add($"netns delete {ns}");
            await Ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            await Ip("link", "set", veth, "master", Bridge);
            await Ip("link", "set", veth, "up");
            await Ip("-n", ns, "addr", "add", $"{Ip(id)}/24", "dev", "eth0");
            await Ip("-n", ns, "link", "set", "eth0", "up");
            await Ip("-n", ns, "link", "set", "lo", "up");
        }

        // Traffic to the nodes must stay on our bridge, never leave the machine.
        var route = await RunAsync("ip", ["route", "get", Ip(_nodes[0])]);
        if (!route.Output.Contains($"dev {Bridge}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The route to {Ip(_nodes[0])} does not use bridge {Bridge}: {route.Output.Trim()}");
        }

        // Where bridged frames pass the root namespace's iptables (br_netfilter) and forwarding is not accepted by default,
        // let our bridge's own traffic through.
        var forward = await RunAsync("iptables", ["-S", "FORWARD"], check: false);
        if (forward.ExitCode == 0 && !forward.Output.Contains("-P FORWARD ACCEPT", StringComparison.Ordinal))
        {
            await RunAsync("iptables", ["-I", "FORWARD", "-i", Bridge, "-o", Bridge, "-j", "ACCEPT"]);
            _cleanup.Insert(0, $"iptables -D FORWARD -i {Bridge} -o {Bridge} -j ACCEPT");
        }
    }

    /// <summary>
    /// Cuts every link between a node of <paramref name="side"/> and a node of <paramref name="other"/>, both ways (dropped
    /// packets, as when a switch fails: connections hang rather than close). Each namespace gets its rules in one atomic
    /// <c>iptables-restore</c>, and the smaller side goes first, all at once: its rules alone already cut every link, so the
    /// partition is complete before the larger side can elect a leader through a link not yet cut.
    /// </summary>
    public async Task PartitionAsync(IReadOnlyCollection<ulong> side, IReadOnlyCollection<ulong> other)
    {
        var (first, second) = side.Count <= other.Count ? (side, other) : (other, side);
        await Task.WhenAll(first.Select(id => DropAsync(id, second)));
        await Task.WhenAll(second.Select(id => DropAsync(id, first)));
    }

    private Task DropAsync(ulong id, IEnumerable<ulong> peers)
    {
        var rules = peers.SelectMany(p => new[] { $"-A INPUT -s {Ip(p)} -j DROP", $"-A OUTPUT -d {Ip(p)} -j DROP" });
        var script = "*filter\n" + string.Join('\n', rules) + "\nCOMMIT\n";
        return RunAsync("ip", ["netns", "exec", Namespace(id), Tool("iptables-restore"), "--noflush"], input: script);
    }

    /// <summary>Removes every partition rule.</summary>
    public async Task HealAsync()
    {
        foreach (var id in _nodes)
        {
            await Ip("netns", "exec", Namespace(id), Tool("iptables"), "-F");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _cleanup.AsEnumerable().Reverse())
        {
            var parts = command.Split(' ');
            await RunAsync(parts[0] == "iptables" ? "iptables" : "ip", parts[0] == "iptables" ? parts[1..] : parts, check: false);
        }
    }

    /// <summary>Deletes the namespaces and bridges of test runs whose process no longer exists (killed before it could clean up),
    /// so they never pile up on a machine that is reused.</summary>
    private static async Task RemoveAbandonedAsync()
    {
        var list = await RunAsync("ip", ["netns", "list"], check: false);
        foreach (var name in list.Output.Split('\n').Select(l => l.Split(' ')[0]).Where(n => n.StartsWith("hsmraft-", StringComparison.Ordinal)))
        {
            var parts = name.Split('-');
            if (parts.Length == 4 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                await RunAsync("ip", ["netns", "delete", name], check: false);
                await RunAsync("ip", ["link", "delete", $"hrb{parts[2]}"], check: false);
            }
        }
    }

    /// <summary>A 10.x.y.0/24 subnet that no interface or route of this machine uses.</summary>
    private static async Task<string> FreeSubnetAsync()
    {
        var used = (await RunAsync("ip", ["-4", "-o", "addr"])).Output + (await RunAsync("ip", ["-4", "route"])).Output;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var subnet = $"10.{Random.Shared.Next(200, 250)}.{Random.Shared.Next(0, 256)}";
            if (!used.Contains(subnet + ".", StringComparison.Ordinal))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("No free 10.x.y.0/24 subnet for the test network.");
    }

    private Task<(int ExitCode, string Output, string Error)> Ip(params string[] args) => RunAsync("ip", args);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IReadOnlyList<string> args, bool check = true, string? input = null)
    {
        var start = new ProcessStartInfo(Tool(program), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var result = (process.ExitCode, await output, await error);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', args)}' failed with exit code {result.ExitCode}: {result.Item3.Trim()}");
        }

        return result;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    /// <summary>A tool's full path (sbin directories are often missing from a test runner's PATH).</summary>
    private static string Tool(string name) => FindOnPath(name) ?? name;
}
