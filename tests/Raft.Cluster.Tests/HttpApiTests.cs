using System.Net;
using System.Net.Http.Json;
using System.Text;
using HsmRaft.Samples.KeyValueStore.Client;
using Xunit.Abstractions;

namespace HsmRaft.Cluster.Tests;

/// <summary>The key-value service's HTTP API against three real node processes: redirects to the leader, linearizable and local
/// reads, compare-and-swap, input errors, leadership transfer, membership change, and the hand-over when a leader gets SIGTERM.</summary>
public class HttpApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_api_redirects_to_the_leader_reads_linearizably_and_a_SIGTERMed_leader_hands_over()
    {
        await using var run = new ProcessCluster(output, "http-api");
        using var raw = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        await run.RunAsync(async () =>
        {
            ulong[] all = [1, 2, 3];
            await run.StartFoundersAsync(all);
            var leader = await run.WaitForLeaderAsync(all);
            var follower = all.First(id => id != leader.Id);
            var followerApi = run.Cluster.Api(follower);

            // A follower sends writes to the leader with 307, keeping method and body.
            using (var redirect = await raw.PutAsync($"{followerApi}/kv/greeting", new StringContent("hello")))
            {
                Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
                Assert.Equal($"{run.Cluster.Api(leader.Id)}/kv/greeting", redirect.Headers.Location!.ToString());
            }

            using var viaFollower = new KvClient([followerApi]);
            var written = await viaFollower.PutAsync("greeting", "hello");
            Assert.Equal(run.Cluster.Api(leader.Id), viaFollower.Leader);
            Assert.Equal("hello", await viaFollower.GetAsync("greeting"));
            await viaFollower.WaitForAppliedAsync(followerApi, written.Revision, ProcessCluster.HangGuard);
            Assert.Equal("hello", await viaFollower.GetAsync("greeting", local: true, node: followerApi));

            var refused = await viaFollower.CompareAndSwapAsync("greeting", "bonjour", "hallo");
            Assert.Equal((false, "hello"), (refused.Succeeded, refused.Value));
            var swapped = await viaFollower.CompareAndSwapAsync("greeting", "hello", "hallo");
            Assert.True(swapped.Succeeded);
            Assert.True(swapped.Revision > written.Revision);
            Assert.True((await viaFollower.DeleteAsync("greeting")).Succeeded);
            Assert.Null(await viaFollower.GetAsync("greeting"));

            var leaderApi = run.Cluster.Api(leader.Id);
            await AssertStatusAsync(HttpStatusCode.BadRequest, raw.GetAsync($"{leaderApi}/kv/k?consistency=sometimes"));
            await AssertStatusAsync(HttpStatusCode.BadRequest, raw.PostAsync($"{leaderApi}/kv/k/cas", new StringContent("{not json", Encoding.UTF8, "application/json")));
            await AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge, raw.PutAsync($"{leaderApi}/kv/big", new ByteArrayContent(new byte[(1 << 20) + 1])));
            await AssertStatusAsync(HttpStatusCode.BadRequest, raw.PostAsJsonAsync($"{leaderApi}/admin/members", new { }));

            // Leadership moves on request...
            var handedOver = await viaFollower.TransferLeadershipAsync(follower);
            Assert.Equal((leader.Id, "Follower"), (handedOver.Id, handedOver.Role));
            var current = await run.WaitForLeaderAsync(all, s => s.Id == follower);

            // ...and on SIGTERM: the stopping leader hands over (the successor campaigns at once, without a pre-vote round
            // after an election timeout) and exits cleanly.
            Assert.Equal(0, await run.Cluster.StopAsync(follower));
            var rest = all.Where(id => id != follower).ToList();
            var successor = await run.WaitForLeaderAsync(rest, s => s.Term > current.Term);
            var history = await run.Client.HistoryAsync(run.Cluster.Api(successor.Id));
            Assert.DoesNotContain(history, h => h.Term == successor.Term && h.Role == "PreCandidate");
            Assert.Contains(history, h => h.Term == successor.Term && h.Role == "Candidate");

            // The stopped node is removed by a membership change; the two others go on.
            run.Client.Endpoints = run.Apis(rest);
            var shrunk = await run.Client.ChangeMembersAsync(new MembershipRequest(Remove: [follower]));
            Assert.Equal(rest, shrunk.Members.Where(m => m.Role == "voter").Select(m => m.Id).Order());
            Assert.True((await run.Client.PutAsync("after", "two voters")).Succeeded);
        });
    }

    private static async Task AssertStatusAsync(HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
