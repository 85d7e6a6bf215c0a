using HsmRaft.Core;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Only the leader appends client commands; anyone else refuses with an error that says where to go.</summary>
public class ProposalTests
{
    [Fact]
    public void AProposalOnAFollowerFailsNamingTheKnownLeader()
    {
        var cluster = TestCluster.Bootstrap(3);
        cluster.Elect(1);
        cluster.TickAll();

        var error = Assert.Throws<NotLeaderException>(() => cluster.Propose(2));

        Assert.Equal((Id(1), "node1"), (error.LeaderId, error.LeaderAddress));
        Assert.Contains("node 1 at node1", error.Message);
        Assert.Equal(cluster[1].Status.LastLogIndex, cluster[2].Status.LastLogIndex);
    }

    [Fact]
    public void AProposalWithNoKnownLeaderSaysSo()
    {
        var cluster = TestCluster.Bootstrap(3);

        var error = Assert.Throws<NotLeaderException>(() => cluster.Propose(2));

        Assert.Equal(NodeId.None, error.LeaderId);
        Assert.Contains("no leader is known", error.Message);
    }

    [Fact]
    public void AProposalReturnsWhereTheCommandWillSit()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);

        var first = cluster.Propose(1);
        var second = cluster.Propose(1);

        Assert.Equal(new ProposalTicket(leader.Status.LastLogIndex - 1, leader.Term), first);
        Assert.Equal(new ProposalTicket(leader.Status.LastLogIndex, leader.Term), second);
    }
}
