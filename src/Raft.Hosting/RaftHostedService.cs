using HsmRaft.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HsmRaft.Hosting;

/// <summary>Starts the node with the host; on shutdown hands leadership over, drains in-flight proposals, flushes and closes,
/// within <see cref="RaftHostingOptions.ShutdownHandOverMilliseconds"/> and the host's own shutdown timeout.</summary>
internal sealed class RaftHostedService(RaftNode node, IOptions<RaftHostingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => node.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var handOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handOver.CancelAfter(options.Value.ShutdownHandOverMilliseconds);
        await node.StopAsync(handOver.Token).ConfigureAwait(false);
    }
}
