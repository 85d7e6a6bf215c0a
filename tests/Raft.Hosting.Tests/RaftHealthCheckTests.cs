using HsmRaft.Core;
using HsmRaft.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HsmRaft.Hosting.Tests;

/// <summary>The <c>raft</c> health check, registered by <c>AddRaftHealthCheck</c>, over a node whose status the test sets.</summary>
public sealed class RaftHealthCheckTests
{
    private static readonly NodeId Self = new(3);

    [Fact]
    public async Task Unhealthy_while_no_leader_is_known()
    {
        var entry = await CheckAsync(Status(RaftRole.Candidate, leader: NodeId.None, commit: 5, applied: 5));
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("knows no leader (term 7)", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Degraded_when_applying_lags_commit_by_more_than_HealthMaxApplyLag()
    {
        var entry = await CheckAsync(Status(RaftRole.Follower, leader: new NodeId(1), commit: 120, applied: 109), maxApplyLag: 10);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("applied 109 of 120 committed", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthy_with_a_leader_and_a_lag_at_the_limit()
    {
        var entry = await CheckAsync(Status(RaftRole.Follower, leader: new NodeId(1), commit: 120, applied: 110), maxApplyLag: 10);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Follower", entry.Data["role"]);
        Assert.Equal(120L, entry.Data["commit"]);
        Assert.Equal(110L, entry.Data["applied"]);
    }

    [Fact]
    public async Task Healthy_as_leader_with_the_default_lag()
    {
        var entry = await CheckAsync(Status(RaftRole.Leader, leader: Self, commit: 900, applied: 1));
        Assert.Equal(HealthStatus.Healthy, entry.Status);
    }

    [Fact]
    public async Task Unhealthy_naming_the_cause_once_the_node_stopped_itself()
    {
        var cause = new IOException("fdatasync failed on /data/log/00000001.seg: No space left on device");
        // Even a status that still names a leader must not hide the failure.
        var entry = await CheckAsync(Status(RaftRole.Leader, leader: Self, commit: 5, applied: 5), failure: cause);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("stopped itself", entry.Description, StringComparison.Ordinal);
        Assert.Contains("No space left on device", entry.Description, StringComparison.Ordinal);
        Assert.Same(cause, entry.Exception);
    }

    private static RaftStatus Status(RaftRole role, NodeId leader, long commit, long applied) =>
        new(Self, role, 7, leader, commit, applied, commit, 0, ClusterConfiguration.Empty, false);

    private static async Task<HealthReportEntry> CheckAsync(RaftStatus status, long? maxApplyLag = null, Exception? failure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IRaftNode>(new FakeNode(status, failure));
        services.Configure<RaftHostingOptions>(o =>
        {
            if (maxApplyLag is { } lag)
            {
                o.HealthMaxApplyLag = lag;
            }
        });
        services.AddHealthChecks().AddRaftHealthCheck();
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(report.Entries["raft"].Status, report.Status);
        Assert.Contains("raft", report.Entries["raft"].Tags);
        return report.Entries["raft"];
    }

    /// <summary>Only <see cref="Status"/> and <see cref="Failure"/> are read by the health check.</summary>
    private sealed class FakeNode(RaftStatus status, Exception? failure) : IRaftNode
    {
        public NodeId Id => status.Id;

        public RaftStatus Status => status;

        public Exception? Failure => failure;

        public IObservable<RaftStatus> StatusChanges => throw new NotSupportedException();

        public ValueTask<object?> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask ReadBarrierAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task ChangeMembershipAsync(MembershipChange change, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task TransferLeadershipAsync(NodeId target, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
