using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;
using Xunit.Abstractions;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Log replication and commitment (Raft §5.3–5.4), on a reliable network with disconnections.</summary>
public class AgreementTests(ITestOutputHelper output)
{
    [Fact]
    public void BasicAgreement()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        c.CheckOneLeader();
        long previous = 0;
        for (var i = 1; i <= 5; i++)
        {
            var index = c.One($"cmd{i}", 3, retry: false);
            Assert.True(previous == 0 || index == previous + 1, $"command {i} at index {index}, previous at {previous}");
            previous = index;
        }
    }

    [Fact]
    public void EachEntryIsSentToEachFollowerOnce()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        c.CheckOneLeader();
        c.One("warm-up", 3, retry: false);
        var before = c.Network.EntryBytesSent;
        const int size = 5000;
        for (var i = 0; i < 10; i++)
        {
            c.One(new string((char)('a' + i), size), 3, retry: false);
        }

        // 10 commands of ~5 KB to 2 followers; any resending of entries would show up here.
        var sent = c.Network.EntryBytesSent - before;
        var expected = 10L * (size + 2) * 2;
        output.WriteLine($"entry bytes sent: {sent} (payload to two followers: {expected})");
        Assert.InRange(sent, expected, expected + (expected / 10));
    }

    [Fact]
    public void AgreementDespiteFollowerDisconnection()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        c.One("101", 3, retry: false);
        var leader = c.CheckOneLeader();
        var follower = (leader.Value % 3) + 1;
        c.Disconnect(follower);

        // Two of three still agree, including after the leader's heartbeats lose a follower.
        c.One("102", 2, retry: false);
        c.RunTicks(2 * c.ElectionTicks);
        c.One("103", 2, retry: false);
        c.One("104", 2, retry: false);

        // The follower comes back and catches up.
        c.Connect(follower);
        c.One("105", 3, retry: true);
        c.RunTicks(c.ElectionTicks);
        c.One("106", 3, retry: true);
    }

    [Fact]
    public void NoAgreementWithoutAMajority()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 5);
        c.One("10", 5, retry: false);
        var leader = c.CheckOneLeader();
        var others = Enumerable.Range(1, 5).Select(i => (ulong)i).Where(i => i != leader.Value).ToList();
        foreach (var id in others.Take(3))
        {
            c.Disconnect(id);
        }

        var ticket = c.Start(leader, "20");
        Assert.NotNull(ticket);
        c.RunTicks(2 * c.ElectionTicks);
        Assert.Equal(0, c.NCommitted(ticket.Value.Index).Count);

        // Repair: the majority elects and commits again; the minority's uncommitted entry may be replaced.
        foreach (var id in others.Take(3))
        {
            c.Connect(id);
        }

        c.CheckOneLeader();
        c.One("30", 5, retry: true);
        c.One("1000", 5, retry: true);
    }

    [Fact]
    public void ConcurrentProposals()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        var leader = c.CheckOneLeader();
        var tickets = Enumerable.Range(0, 5).Select(i => c.Start(leader, $"c{i}")).ToList();
        Assert.All(tickets, t => Assert.NotNull(t));
        Assert.Single(tickets.Select(t => t!.Value.Term).Distinct());
        Assert.Equal(5, tickets.Select(t => t!.Value.Index).Distinct().Count());
        foreach (var t in tickets)
        {
            Assert.True(c.RunUntil(() => c.NCommitted(t!.Value.Index).Count == 3, 5 * c.ElectionTicks));
        }

        var committed = tickets.Select(t => c.Checker.AppliedAt(t!.Value.Index).Data).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Cluster.HashOf($"c{i}")).ToHashSet(), committed);
    }

    [Fact]
    public void PartitionedLeaderRejoins()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        c.One("101", 3, retry: true);
        var leader1 = c.CheckOneLeader();
        c.Disconnect(leader1.Value);

        // The isolated leader accepts proposals it can never commit.
        c.Start(leader1, "102");
        c.Start(leader1, "103");
        c.Start(leader1, "104");

        // The others elect a leader and commit.
        c.One("103", 2, retry: true);
        var leader2 = c.CheckOneLeader();
        c.Disconnect(leader2.Value);

        // The old leader returns; with the remaining follower it forms a majority; its stale entries are replaced or committed.
        c.Connect(leader1.Value);
        c.One("104", 2, retry: true);
        c.Connect(leader2.Value);
        c.One("105", 3, retry: true);
    }

    [Fact]
    public void FastBackOffOverManyConflictingEntries()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 5);
        c.One("start", 5, retry: true);
        var leader1 = c.CheckOneLeader().Value;
        var others = Enumerable.Range(1, 5).Select(i => (ulong)i).Where(i => i != leader1).ToList();

        // The leader and one follower are cut off and take 50 entries that never commit.
        c.Network.Partition([[new NodeId(leader1), new NodeId(others[0])], others.Skip(1).Select(i => new NodeId(i)).ToList()]);
        for (var i = 0; i < 50; i++)
        {
            c.Start(new NodeId(leader1), $"lost-a{i}");
        }

        c.RunTicks(c.ElectionTicks);

        // The other three elect a leader and commit 50 entries.
        for (var i = 0; i < 50; i++)
        {
            c.One($"kept-a{i}", 3, retry: true);
        }

        // Of those three, one leaves; the remaining two cannot commit the 50 entries their leader takes.
        var leader2 = c.CurrentLeader!.Id.Value;
        var other = others.Skip(1).First(i => i != leader2);
        c.Disconnect(other);
        for (var i = 0; i < 50; i++)
        {
            c.Start(new NodeId(leader2), $"lost-b{i}");
        }

        c.RunTicks(c.ElectionTicks);

        // The first pair comes back with the node that left: they must skip the 50 conflicting entries quickly.
        c.Network.Heal();
        foreach (var id in Enumerable.Range(1, 5).Select(i => (ulong)i))
        {
            c.Disconnect(id);
        }

        foreach (var id in new[] { leader1, others[0], other })
        {
            c.Connect(id);
        }

        var rejectionsBefore = c.Network.AppendRejections;
        for (var i = 0; i < 50; i++)
        {
            c.One($"kept-b{i}", 3, retry: true);
        }

        // Everyone together.
        foreach (var id in Enumerable.Range(1, 5).Select(i => (ulong)i))
        {
            c.Connect(id);
        }

        c.One("end", 5, retry: true);

        // Repairing a follower costs about one rejected probe per conflicting term, not one per entry.
        var rejections = c.Network.AppendRejections - rejectionsBefore;
        output.WriteLine($"rejected appends while repairing 50+ conflicting entries: {rejections}");
        Assert.True(rejections <= 16, $"{rejections} rejected appends to repair logs that diverged by 50+ entries");
    }

    [Fact]
    public void AgreementUsesFewMessages()
    {
        var c = Scenario.Create(typeof(AgreementTests), nodes: 3);
        var leader = c.CheckOneLeader();
        c.One("warm-up", 3, retry: false);
        var appends = c.Network.Count(RaftMessageType.AppendEntries);
        var answers = c.Network.Count(RaftMessageType.AppendEntriesResponse);
        var term = c.CheckTerms();
        for (var i = 0; i < 10; i++)
        {
            c.One($"m{i}", 3, retry: false);
        }

        Assert.Equal(term, c.CheckTerms());
        Assert.Equal(leader, c.CheckOneLeader());

        // One append per follower per command (heartbeats carry the commit index), each answered once.
        var sent = c.Network.Count(RaftMessageType.AppendEntries) - appends + c.Network.Count(RaftMessageType.AppendEntriesResponse) - answers;
        output.WriteLine($"10 commands: {sent} appends and answers");
        Assert.InRange(sent, 10 * 2 * 2, 10 * 2 * 2 + 6);
    }
}
