using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>How the leader paces replication: a bounded window of AppendEntries in flight per follower (pipelining), bounded
/// batches (entries and bytes per message), a bound on uncommitted bytes, and resending what the network lost.</summary>
public class FlowControlTests
{
    private static List<AppendEntries> AppendsInFlight(TestCluster cluster, int to) =>
        cluster.InFlight.OfType<AppendEntries>().Where(a => a.To == Id(to)).ToList();

    [Fact]
    public void TheLeaderPipelinesUpToTheInflightWindowInBoundedBatches()
    {
        var cluster = TestCluster.Bootstrap(3, o => (o.MaxInflightMessages, o.MaxEntriesPerMessage) = (3, 2));
        var leader = cluster.Elect(1);
        var first = leader.Status.LastLogIndex + 1;

        for (var i = 0; i < 20; i++)
        {
            cluster.Propose(1);
        }

        cluster.Process();

        // Three messages of two entries each, back to back, without waiting for any answer.
        var window = AppendsInFlight(cluster, 2);
        Assert.Equal(3, window.Count);
        Assert.All(window, a => Assert.Equal(2, a.Entries.Count));
        Assert.Equal([first - 1, first + 1, first + 3], window.Select(a => a.PrevLogIndex));

        // Each acknowledgement frees one slot, which the next batch fills at once.
        cluster.Deliver(m => m == window[0]);
        cluster.Process();
        cluster.Deliver(m => m is AppendEntriesResponse && m.From == Id(2));
        cluster.Process();
        var next = AppendsInFlight(cluster, 2);
        Assert.Equal(3, next.Count);
        Assert.Equal(first + 5, next[^1].PrevLogIndex);

        cluster.Stabilize();
        Assert.Equal(first + 19, cluster[2].Status.LastLogIndex);
        Assert.Equal(first + 19, leader.Status.CommitIndex);
    }

    [Fact]
    public void BatchesAreBoundedInBytesButAlwaysCarryAnEntry()
    {
        var cluster = TestCluster.Bootstrap(2, o => o.MaxBytesPerMessage = 1024);
        cluster.Elect(1);

        for (var i = 0; i < 7; i++)
        {
            cluster.Propose(1, new byte[300]); // 324 bytes each with the header estimate: three fit in 1024
        }

        cluster.Propose(1, new byte[2000]); // larger than a whole message: sent alone
        cluster.Process();

        var sizes = AppendsInFlight(cluster, 2).Select(a => a.Entries.Count).ToList();
        Assert.Equal([3, 3, 1, 1], sizes);
        cluster.Stabilize();
        Assert.Equal(cluster[1].Status.LastLogIndex, cluster[2].Status.LastLogIndex);
    }

    [Fact]
    public void ProposalsBeyondTheUncommittedBoundFailFastUntilEntriesCommit()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.MaxUncommittedBytes = 1024);
        cluster.Elect(1);
        cluster.Crash(2);
        cluster.Crash(3);

        for (var i = 0; i < 3; i++)
        {
            cluster.Propose(1, new byte[300]);
        }

        var error = Assert.Throws<RaftOverloadedException>(() => cluster.Propose(1, new byte[300]));
        Assert.Contains("MaxUncommittedBytes = 1024", error.Message);
        Assert.Contains("972 bytes", error.Message);

        cluster.Restart(2);
        cluster.TickAll(2);
        var ticket = cluster.Propose(1, new byte[300]);
        Assert.True(ticket.Index > 0);
    }

    [Fact]
    public void OneProposalLargerThanTheBoundIsAcceptedWhenNothingIsPending()
    {
        var cluster = TestCluster.Bootstrap(3, o => o.MaxUncommittedBytes = 1024);
        cluster.Elect(1);

        var ticket = cluster.Propose(1, new byte[5000]);

        Assert.Equal(cluster[1].Status.LastLogIndex, ticket.Index);
    }

    [Fact]
    public void ALostLastAppendIsSentAgain()
    {
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        cluster.TickAll(); // followers are now in the pipelined (replicate) state

        var ticket = cluster.Propose(1);
        cluster.Process();
        Assert.Equal(2, cluster.Take(m => m is AppendEntries).Count); // the network loses both copies
        cluster.TickAll(3);

        Assert.Equal(ticket.Index, leader.Status.CommitIndex);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(ticket.Index, n.Status.LastLogIndex));
    }

    [Fact]
    public void AFullWindowOfLostAppendsDoesNotStallReplication()
    {
        var cluster = TestCluster.Bootstrap(3, o => (o.MaxInflightMessages, o.MaxEntriesPerMessage) = (2, 1));
        var leader = cluster.Elect(1);
        cluster.TickAll();

        ProposalTicket last = default;
        for (var i = 0; i < 5; i++)
        {
            last = cluster.Propose(1);
        }

        cluster.Process();
        Assert.Equal(4, cluster.Take(m => m is AppendEntries).Count);
        cluster.TickAll(5);

        Assert.Equal(last.Index, leader.Status.CommitIndex);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(last.Index, n.Status.LastLogIndex));
    }
}
