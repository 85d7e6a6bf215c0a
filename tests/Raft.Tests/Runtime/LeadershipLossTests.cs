using HsmRaft.Core;

namespace HsmRaft.Tests.Runtime;

public class LeadershipLossTests
{
    [Fact]
    public async Task AnIsolatedLeaderFailsItsUncommittedProposalsWhenItStepsDown()
    {
        await using var cluster = new NodeCluster(3);
        await cluster.StartAllAsync();
        var leader = await cluster.WaitForLeaderAsync();
        Assert.Equal(1, await leader.ProposeAsync(NodeCluster.Command("committed")).AsTask().WaitAsync(NodeCluster.HangGuard));

        cluster.Network.Isolate(leader.Id);
        var stranded = leader.ProposeAsync(NodeCluster.Command("stranded")).AsTask();

        // Check-quorum makes the isolated leader step down; the proposal it could not commit fails then, not never.
        var error = await Assert.ThrowsAsync<ProposalDroppedException>(() => stranded.WaitAsync(NodeCluster.HangGuard));
        Assert.Contains("lost leadership", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(RaftRole.Leader, leader.Status.Role);
    }
}
