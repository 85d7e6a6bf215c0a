using HsmRaft.Samples.KeyValueStore.Client;
using Xunit.Abstractions;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// Three real node processes on loopback under a continuous client workload. The leader is killed with SIGKILL (no hand-over,
/// nothing flushed beyond what was already fsync'd) in the middle of writes, twice, and restarted from its data directory each time.
/// Every write a client saw acknowledged must be on every node afterwards, and the nodes must converge to identical states.
/// </summary>
public class ProcessKillTests(ITestOutputHelper output)
{
    private const int WritesPerPhase = 150;

    [Fact]
    public async Task Killing_the_leader_with_SIGKILL_during_writes_loses_no_acknowledged_write()
    {
        await using var run = new ProcessCluster(output, "sigkill");
        await run.RunAsync(async () =>
        {
            ulong[] all = [1, 2, 3];
            await run.StartFoundersAsync(all);
            var leader = await run.WaitForLeaderAsync(all);
            await using var workload = new Workload(run.Client, writers: 8);
            workload.Start();

            for (var round = 1; round <= 2; round++)
            {
                await workload.WaitForAcknowledgedAsync(workload.Acknowledged.Count + WritesPerPhase).WaitAsync(ProcessCluster.HangGuard);
                await run.Cluster.KillAsync(leader.Id);
                var ackedAtKill = workload.Acknowledged.Count;
                output.WriteLine($"round {round}: SIGKILL leader {leader.Id} (term {leader.Term}) after {ackedAtKill} acknowledged writes");

                var survivors = all.Where(id => id != leader.Id).ToList();
                var next = await run.WaitForLeaderAsync(survivors, s => s.Term > leader.Term);
                Assert.NotEqual(leader.Id, next.Id);

                // The two survivors are a majority: writes go on without the dead node.
                await workload.WaitForAcknowledgedAsync(ackedAtKill + WritesPerPhase).WaitAsync(ProcessCluster.HangGuard);
                Assert.Null(workload.Failure);

                // Restart from its own data directory: it recovers its log and catches up.
                await run.Cluster.StartAsync(leader.Id, CancellationToken.None);
                var caughtUp = await run.Client.WaitForAppliedAsync(run.Cluster.Api(leader.Id), next.CommitIndex, ProcessCluster.HangGuard);
                output.WriteLine($"round {round}: node {next.Id} leads term {next.Term}; node {leader.Id} restarted and applied {caughtUp.AppliedIndex}");
                leader = next;
            }

            await workload.StopAsync();
            Assert.Null(workload.Failure);
            var result = await WriteVerifier.VerifyAsync(run.Client, run.Apis(all), workload.Acknowledged, ProcessCluster.HangGuard);
            Assert.True(result.Passed, string.Join("\n", result.Problems));
            Assert.True(result.AcknowledgedWrites >= 4 * WritesPerPhase, $"only {result.AcknowledgedWrites} writes were acknowledged");
            Assert.Equal(all, result.KeysPerNode.Keys.Order());
            output.WriteLine($"verified {result.AcknowledgedWrites} acknowledged writes on nodes {string.Join(", ", all)} at commit index {result.CommitIndex}");
        });
    }
}
