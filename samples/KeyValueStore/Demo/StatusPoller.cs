using HsmRaft.Samples.KeyValueStore.Client;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary>Refreshes the view's node table: each node's status and health check, a few times a second (display only; the
/// script's decisions wait on events instead).</summary>
internal sealed class StatusPoller(DemoState state, LocalCluster cluster, KvClient client) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);
    private readonly CancellationTokenSource _stop = new();

    public void Start() => _ = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            await RefreshAsync();
            await Task.Delay(Interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    });

    public async Task RefreshAsync()
    {
        var specs = cluster.Specs.OrderBy(s => s.Id).ToList();
        state.Nodes = await Task.WhenAll(specs.Select(PollAsync));
    }

    private async Task<NodeRow> PollAsync(NodeSpec spec)
    {
        var process = cluster.ProcessStates.GetValueOrDefault(spec.Id, "not started");
        if (process != "running")
        {
            return new NodeRow(spec.Id, process, null, "down");
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var status = client.StatusAsync(spec.ApiUrl, ct: timeout.Token);
            var health = client.HealthAsync(spec.ApiUrl, timeout.Token);
            return new NodeRow(spec.Id, process, await status, await health);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // A busy or dying node: show it as not answering this time.
            return new NodeRow(spec.Id, process, null, "no answer");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
