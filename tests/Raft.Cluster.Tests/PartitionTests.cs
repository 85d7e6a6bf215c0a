using System.Net;
using HsmRaft.Samples.KeyValueStore.Client;
using Xunit.Abstractions;

namespace HsmRaft.Cluster.Tests;

/// <summary>
/// Five real node processes, each in its own Linux network namespace, under a continuous client workload; partitions are made by
/// dropping packets between namespaces. Safety: no acknowledged write is ever lost, and no term ever has two leaders (checked from
/// every node's own history of role changes). Liveness: the majority side keeps committing, and after healing every node
/// converges. These tests need root, iproute2 and iptables: elsewhere they are reported as skipped with the exact reason, and
/// where HSMRAFT_REQUIRE_NETNS=1 (as .ci/run sets when it runs as root) a missing capability fails them instead.
/// </summary>
public class PartitionTests(ITestOutputHelper output)
{
    private static readonly ulong[] All = [1, 2, 3, 4, 5];

    [SkippableFact]
    public async Task A_cut_off_minority_cannot_elect_or_serve_and_catches_up_while_the_majority_keeps_writing()
    {
        await using var lab = await CreateLabAsync();
        await using var run = new ProcessCluster(output, "netns-minority", lab.Addresses, lab.Wrapper);
        using var raw = NoRedirectClient();
        await run.RunAsync(async () =>
        {
            await run.StartFoundersAsync(All);
            var leader = await run.WaitForLeaderAsync(All);
            await using var workload = new Workload(run.Client, writers: 6);
            workload.Start();
            await workload.WaitForAcknowledgedAsync(100).WaitAsync(ProcessCluster.HangGuard);

            var minority = All.Where(id => id != leader.Id).Take(2).ToList();
            var majority = All.Except(minority).ToList();
            var minorityTerms = await Task.WhenAll(minority.Select(id => run.Client.StatusAsync(run.Cluster.Api(id))));
            await lab.PartitionAsync(minority, majority);
            output.WriteLine($"partitioned {{{string.Join(",", minority)}}} from {{{string.Join(",", majority)}}}; leader {leader.Id} in term {leader.Term}");

            // The majority, leader included, goes on committing.
            await workload.WaitForAcknowledgedAsync(workload.Acknowledged.Count + 200).WaitAsync(ProcessCluster.HangGuard);

            // The minority notices the leader is gone (it starts pre-votes) but can neither elect nor serve.
            foreach (var id in minority)
            {
                var alone = await ClusterWaits.WaitForStatusAsync(run.Client, run.Cluster.Api(id), s => s.LeaderId == 0, ProcessCluster.HangGuard);
                Assert.NotEqual("Leader", alone.Role);
                Assert.Equal(503, (int)(await raw.PutAsync($"{run.Cluster.Api(id)}/kv/minority-{id}", new StringContent("x"))).StatusCode);
                Assert.Equal(503, (int)(await raw.GetAsync($"{run.Cluster.Api(id)}/kv/w00-000000")).StatusCode);
            }

            // Pre-vote: a node that cannot win never raises its term, so it cannot disrupt the leader when the partition heals.
            var during = await Task.WhenAll(minority.Select(id => run.Client.StatusAsync(run.Cluster.Api(id))));
            Assert.Equal(minorityTerms.Select(s => s.Term), during.Select(s => s.Term));

            var majorityTerm = (await Task.WhenAll(majority.Select(id => run.Client.StatusAsync(run.Cluster.Api(id))))).Max(s => s.Term);
            await lab.HealAsync();
            var after = await run.WaitForLeaderAsync(All);
            Assert.Equal(majorityTerm, after.Term);
            await workload.WaitForAcknowledgedAsync(workload.Acknowledged.Count + 100).WaitAsync(ProcessCluster.HangGuard);
            await workload.StopAsync();

            await VerifyAsync(run, workload);
        });
    }

    [SkippableFact]
    public async Task A_partitioned_leader_commits_nothing_the_majority_elects_another_and_no_acknowledged_write_is_lost()
    {
        await using var lab = await CreateLabAsync();
        await using var run = new ProcessCluster(output, "netns-leader", lab.Addresses, lab.Wrapper);
        using var raw = NoRedirectClient();
        await run.RunAsync(async () =>
        {
            await run.StartFoundersAsync(All);
            var old = await run.WaitForLeaderAsync(All);
            await using var workload = new Workload(run.Client, writers: 6);
            workload.Start();
            await workload.WaitForAcknowledgedAsync(100).WaitAsync(ProcessCluster.HangGuard);

            // The leader keeps one follower: a minority of two that still has a leader, facing a majority of three.
            var minority = new List<ulong> { old.Id, All.First(id => id != old.Id) };
            var majority = All.Except(minority).ToList();
            await lab.PartitionAsync(minority, majority);
            output.WriteLine($"partitioned leader {old.Id} (term {old.Term}) with {minority[1]} from {{{string.Join(",", majority)}}}");

            // A write sent straight to the old leader can never be acknowledged: it cannot reach a majority.
            var staleWrite = raw.PutAsync($"{run.Cluster.Api(old.Id)}/kv/stale-leader-write", new StringContent("must not commit"));

            var next = await run.WaitForLeaderAsync(majority, s => s.Term > old.Term);
            output.WriteLine($"majority elected node {next.Id} in term {next.Term}");
            await workload.WaitForAcknowledgedAsync(workload.Acknowledged.Count + 200).WaitAsync(ProcessCluster.HangGuard);

            // Check-quorum: without a majority the old leader steps down, failing what it could not commit.
            var deposed = await ClusterWaits.WaitForStatusAsync(run.Client, run.Cluster.Api(old.Id), s => s.Role != "Leader", ProcessCluster.HangGuard);
            Assert.Equal(old.Term, deposed.Term);
            var stale = await staleWrite.WaitAsync(ProcessCluster.HangGuard);
            Assert.NotEqual(HttpStatusCode.OK, stale.StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await raw.GetAsync($"{run.Cluster.Api(old.Id)}/kv/w00-000000")).StatusCode);

            await lab.HealAsync();
            var healed = await run.WaitForLeaderAsync(All);
            Assert.True(healed.Term >= next.Term, $"after healing, term {healed.Term} is below the majority's {next.Term}");
            await workload.WaitForAcknowledgedAsync(workload.Acknowledged.Count + 100).WaitAsync(ProcessCluster.HangGuard);
            await workload.StopAsync();

            await VerifyAsync(run, workload);
            Assert.Null(await run.Client.GetAsync("stale-leader-write"));
        });
    }

    /// <summary>Every acknowledged write on all five nodes, identical states, and at most one leader per term in any node's history.</summary>
    private async Task VerifyAsync(ProcessCluster run, Workload workload)
    {
        Assert.Null(workload.Failure);
        var result = await WriteVerifier.VerifyAsync(run.Client, run.Apis(All), workload.Acknowledged, ProcessCluster.HangGuard);
        Assert.True(result.Passed, string.Join("\n", result.Problems));
        output.WriteLine($"verified {result.AcknowledgedWrites} acknowledged writes on all five nodes at commit index {result.CommitIndex}");

        var histories = await Task.WhenAll(All.Select(async id => (Id: id, History: await run.Client.HistoryAsync(run.Cluster.Api(id)))));
        var claims = histories.SelectMany(h => h.History.Where(e => e.Role == "Leader").Select(e => (e.Term, Node: h.Id))).Distinct().ToList();
        foreach (var term in claims.GroupBy(c => c.Term))
        {
            Assert.True(term.Count() == 1, $"split brain: nodes {string.Join(", ", term.Select(c => c.Node))} all led term {term.Key}");
        }

        output.WriteLine("leaders by term: " + string.Join(", ", claims.OrderBy(c => c.Term).Select(c => $"{c.Term}→{c.Node}")));
    }

    private async Task<NetworkLab> CreateLabAsync()
    {
        var why = await NetworkLab.WhyUnavailable();
        if (why is not null)
        {
            output.WriteLine($"Partition tests cannot run here: {why}");
            Assert.False(Environment.GetEnvironmentVariable("HSMRAFT_REQUIRE_NETNS") == "1", $"HSMRAFT_REQUIRE_NETNS=1 but {why}");
            Skip.If(true, why);
        }

        return await NetworkLab.CreateAsync(All);
    }

    private static HttpClient NoRedirectClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
}
