using System.Globalization;
using HsmRaft.Samples.KeyValueStore.Client;
using Xunit.Abstractions;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// A test's cluster of real key-value node processes (the sample's <c>node</c> command) with its client. Timing is generous so a
/// loaded 2-core machine does not cause spurious elections: 100 ms ticks, elections after 1.5–3 s of silence. When the test fails,
/// <see cref="RunAsync"/> prints the tail of every node's log.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    /// <summary>Bounds every wait; only reached when something hangs.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _directory;

    public ProcessCluster(ITestOutputHelper output, string name, Func<ulong, NodeAddresses>? addresses = null, Func<ulong, IReadOnlyList<string>>? wrapper = null, int snapshotEvery = 10_000)
    {
        _output = output;
        _directory = new TempDirectory(name);
        Cluster = new LocalCluster(_directory.Path, NodeArguments(snapshotEvery), addresses, wrapper);
        Client = new KvClient([]);
    }

    public LocalCluster Cluster { get; }

    public KvClient Client { get; }

    public static List<string> NodeArguments(int snapshotEvery) =>
    [
        "--tick-ms", "100", "--election-ticks", "15", "--cluster-id", "cluster-tests",
        "--snapshot-every", snapshotEvery.ToString(CultureInfo.InvariantCulture), "--snapshot-trailing", "100",

        // Nodes start and restart at different moments: reach a peer again within a second rather than up to five.
        "--Raft:ReconnectBackoffMaxMilliseconds=1000",
    ];

    /// <summary>The API addresses of the given nodes.</summary>
    public List<string> Apis(params IEnumerable<ulong> ids) => Cluster.Apis(ids);

    /// <summary>Defines and starts founding members, and points the client at them.</summary>
    public async Task StartFoundersAsync(params ulong[] ids)
    {
        Cluster.DefineFounders(ids);
        Client.Endpoints = Apis(ids);
        await Task.WhenAll(ids.Select(id => Cluster.StartAsync(id, CancellationToken.None)));
    }

    public Task<NodeStatusDto> WaitForLeaderAsync(IEnumerable<ulong> among, Func<NodeStatusDto, bool>? accept = null) =>
        ClusterWaits.WaitForLeaderAsync(Client, Apis(among), HangGuard, accept);

    /// <summary>Runs the test body; on failure prints each node's log tail, then rethrows.</summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception)
        {
            foreach (var spec in Cluster.Specs.OrderBy(s => s.Id))
            {
                if (Cluster.Process(spec.Id) is { } process)
                {
                    _output.WriteLine($"--- node {spec.Id} ({Cluster.ProcessStates.GetValueOrDefault(spec.Id)}), {process.LogFile}:\n{process.Tail(40)}");
                }
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Client.Dispose();
        _directory.Dispose();
    }
}

/// <summary>A fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hsmraft-{name}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A node that was just killed may still hold a file for a moment; the OS temp cleaner gets it later.
        }
    }
}
