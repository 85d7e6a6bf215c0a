using HsmRaft.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HsmRaft.Hosting;

/// <summary>Healthy when the node knows a leader and is caught up; degraded when applying lags; unhealthy without a leader or
/// once the node stopped itself after a storage or state-machine failure.</summary>
internal sealed class RaftHealthCheck(IRaftNode node, IOptions<RaftHostingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = node.Status;
        var data = new Dictionary<string, object>
        {
            ["node"] = s.Id.ToString(),
            ["role"] = s.Role.ToString(),
            ["term"] = s.Term,
            ["leader"] = s.LeaderId.ToString(),
            ["commit"] = s.CommitIndex,
            ["applied"] = s.AppliedIndex,
        };
        if (node.Failure is { } failure)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Node {s.Id} stopped itself: {failure.Message}", failure, data));
        }

        if (s.LeaderId.IsNone)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Node {s.Id} knows no leader (term {s.Term}); an election may be in progress or the node is partitioned.", data: data));
        }

        var lag = s.CommitIndex - s.AppliedIndex;
        return Task.FromResult(lag > options.Value.HealthMaxApplyLag
            ? HealthCheckResult.Degraded($"Node {s.Id} lags: applied {s.AppliedIndex} of {s.CommitIndex} committed.", data: data)
            : HealthCheckResult.Healthy($"Node {s.Id} is {s.Role} in term {s.Term}; leader {s.LeaderId}.", data: data));
    }
}
