using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Tests.Core.Harness;
using static HsmRaft.Tests.Core.Harness.Build;

namespace HsmRaft.Tests.Core;

/// <summary>Raft §7: a follower that needs entries the leader has compacted away receives the snapshot instead, in chunks
/// (Ready.SnapshotChunks on the leader, Ready.SnapshotReceives on the follower), then continues from the log.</summary>
public class SnapshotTests
{
    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    /// <summary>Node 3 misses ten entries; the leader then snapshots and compacts its log past them.</summary>
    private static TestCluster LaggingFollowerAfterCompaction(out SnapshotMetadata snapshot)
    {
        var cluster = TestCluster.Bootstrap(3, o => (o.SnapshotChunkSize, o.MaxInflightSnapshotChunks) = (1024, 2));
        var leader = cluster.Elect(1);
        cluster.Cut(1, 3);
        for (var i = 0; i < 10; i++)
        {
            cluster.Propose(1);
        }

        cluster.Stabilize();
        cluster.TickAll();
        var applied = leader.Status.AppliedIndex;
        snapshot = leader.TakeSnapshot(applied, Pattern(3000), compactThrough: applied);
        cluster.Process();
        Assert.Equal(applied, leader.Status.SnapshotIndex);
        return cluster;
    }

    [Fact]
    public void ALaggingFollowerReceivesTheSnapshotInChunksAndThenTheLog()
    {
        var cluster = LaggingFollowerAfterCompaction(out var snapshot);
        var leader = cluster[1];
        var follower = cluster[3];

        cluster.Heal();
        cluster.TickAll(4);

        var chunks = leader.Readies.SelectMany(r => r.SnapshotChunks).ToList();
        Assert.Equal([(0L, 1024), (1024L, 1024), (2048L, 952)], chunks.Select(c => (c.Offset, c.Length)));
        Assert.All(chunks, c => Assert.Equal((Id(3), snapshot), (c.To, c.Metadata)));
        Assert.Equal([SnapshotReceiveKind.Begin, SnapshotReceiveKind.Write, SnapshotReceiveKind.Write, SnapshotReceiveKind.Install],
            follower.SnapshotActions);
        Assert.Equal(Pattern(3000), follower.SnapshotData);
        Assert.Equal(snapshot, follower.RestoredFrom);
        Assert.Equal(snapshot.LastIncludedIndex, follower.Status.SnapshotIndex);

        // The acknowledgement of the installed snapshot promises durability, so it waits for persistence.
        Assert.Contains(follower.Readies, r => r.MessagesAfterPersist.OfType<InstallSnapshotResponse>().Any(a => a.Done));

        // From then on the follower replicates from the log as usual.
        var ticket = cluster.Propose(1);
        cluster.Stabilize();
        cluster.TickAll();
        Assert.Equal(ticket.Index, follower.Status.CommitIndex);
        Assert.Equal(leader.LogTerms(), follower.LogTerms());
        Assert.Contains(follower.Applied, e => e.Index == ticket.Index);
    }

    [Fact]
    public void NoMoreThanTheWindowOfChunksIsInFlight()
    {
        var cluster = LaggingFollowerAfterCompaction(out _);
        cluster.Heal();

        // Run tick by tick until the leader notices node 3 is behind and the first chunks are in flight; then hold them.
        bool ChunksInFlight() => cluster.InFlight.OfType<InstallSnapshot>().Any();
        for (var tick = 0; tick < 5 * ElectionTicks && !ChunksInFlight(); tick++)
        {
            foreach (var node in cluster.Nodes.Values)
            {
                node.Core.Tick();
            }

            cluster.Process();
            while (cluster.InFlight.Count > 0 && !ChunksInFlight())
            {
                cluster.Deliver();
                cluster.Process();
            }
        }

        // Two chunks of 1024 bytes (MaxInflightSnapshotChunks = 2), and no third until the follower acknowledges one.
        Assert.Equal(2, cluster.InFlight.OfType<InstallSnapshot>().Count());
        cluster.Deliver(m => m is InstallSnapshot);
        cluster.Process();
        var acks = cluster.Take(m => m is InstallSnapshotResponse);
        Assert.Equal([1024L, 2048L], acks.Cast<InstallSnapshotResponse>().Select(a => a.NextOffset));
        Assert.Equal(2, cluster.Sent.OfType<InstallSnapshot>().Count());

        acks.ForEach(cluster.Inject);
        cluster.Stabilize();
        Assert.Equal(3, cluster.Sent.OfType<InstallSnapshot>().Count());
        Assert.Equal(cluster[1].Status.SnapshotIndex, cluster[3].Status.SnapshotIndex);
    }

    [Fact]
    public void ALostChunkIsSentAgainAndTheSnapshotArrivesIntact()
    {
        var cluster = LaggingFollowerAfterCompaction(out var snapshot);
        var lost = false;
        cluster.Dropping = m => m is InstallSnapshot { Offset: 1024 } && !lost && (lost = true);
        cluster.Heal();

        cluster.TickAll(6);

        Assert.True(lost);
        Assert.Equal(Pattern(3000), cluster[3].SnapshotData);
        Assert.Equal(snapshot, cluster[3].RestoredFrom);
        Assert.Equal(cluster[1].LogTerms(), cluster[3].LogTerms());
    }

    [Fact]
    public void AFollowerThatAlreadyHasTheSnapshotsEntriesRefusesIt()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 2, commit: 3, log: Entries(1, 1, 2, 2)));
        var snapshot = new SnapshotMetadata(3, 2, Voters(1, 2, 3), 10);

        node.Core.Step(new InstallSnapshot { From = Id(2), To = Id(1), Term = 2, Metadata = snapshot, Data = new byte[10], Done = true });

        var ready = node.Core.GetReady();
        var answer = Assert.IsType<InstallSnapshotResponse>(Assert.Single(ready.Messages));
        Assert.True(answer.Rejected);
        Assert.Empty(ready.SnapshotReceives);
        Assert.Equal([1L, 1, 2, 2], node.LogTerms());
    }

    [Fact]
    public void ASnapshotRefusedBecauseTheFollowerHasItsEntriesHandsOverToTheLog()
    {
        // Node 3 stores five entries but its acknowledgements are lost, so the leader believes it is behind; after compaction the
        // transport reports node 3 unreachable and the leader falls back to what it knows node 3 matches, before the snapshot.
        var cluster = TestCluster.Bootstrap(3);
        var leader = cluster.Elect(1);
        cluster.Dropping = m => m is AppendEntriesResponse && m.From == Id(3);
        for (var i = 0; i < 5; i++)
        {
            cluster.Propose(1);
        }

        cluster.Stabilize();
        cluster.TickAll();
        var snapshot = leader.TakeSnapshot(leader.Status.AppliedIndex, Pattern(100), compactThrough: leader.Status.AppliedIndex);
        leader.Core.ReportUnreachable(Id(3));
        cluster.Dropping = null;

        cluster.Stabilize();
        cluster.TickAll();

        // Node 3 refused the snapshot (it holds those entries) and the leader went on from the log, without installing anything.
        Assert.Contains(cluster.Sent, m => m is InstallSnapshotResponse { Rejected: true });
        Assert.Empty(cluster[3].SnapshotActions);
        Assert.Equal(leader.LogTerms(), cluster[3].LogTerms().Skip((int)snapshot.LastIncludedIndex));
        var ticket = cluster.Propose(1);
        cluster.Stabilize();
        Assert.Equal(ticket.Index, cluster[3].Status.LastLogIndex);
    }

    [Fact]
    public void APartialSnapshotIsAbandonedWhenTheFollowerMovesToANewerTerm()
    {
        var node = new TestNode(Options(1), State(Voters(1, 2, 3), term: 2, log: Entries(1)));
        var snapshot = new SnapshotMetadata(10, 2, Voters(1, 2, 3), 2048);
        node.Core.Step(new InstallSnapshot { From = Id(2), To = Id(1), Term = 2, Metadata = snapshot, Data = new byte[1024] });

        node.Core.Step(new Heartbeat { From = Id(3), To = Id(1), Term = 3 });
        node.ProcessReady(_ => { });

        Assert.Equal([SnapshotReceiveKind.Begin, SnapshotReceiveKind.Abort], node.SnapshotActions);
        Assert.Equal(0, node.Status.SnapshotIndex);
        Assert.Equal(Id(3), node.Status.LeaderId);
    }
}
