using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Lease reads (LeaseReads = true): a leader answers reads without a heartbeat round while its lease holds.</summary>
public class LeaseReadTests
{
    /// <summary>
    /// The links from two followers to the leader become slow: their answers take 25 ticks to arrive (the network model's long
    /// delay). Then the leader is cut off. The delayed answers keep arriving, one per tick, long after the followers stopped
    /// honouring the old leader and elected a new one that committed a write. Answers to heartbeats sent long ago prove
    /// nothing about the present: the old leader must not count them toward its lease and serve the overwritten value.
    /// </summary>
    [Fact]
    public void LateHeartbeatAnswersDoNotExtendTheLease()
    {
        var c = Scenario.Create(typeof(LeaseReadTests), nodes: 5, tweak: o => o with { ConfigureCore = core => core.LeaseReads = true });
        var old = c[c.CheckOneLeader()];
        c.One(KvCommand.Put("k", "v0"), 5, retry: false);
        var slow = c.Nodes.Keys.Where(id => id != old.Id).Take(2).ToHashSet();

        // From now on, answers from the two slow followers reach the leader 25 ticks late.
        c.Network.DropIf = m =>
        {
            if (m is HeartbeatResponse && m.To == old.Id && slow.Contains(m.From))
            {
                c.Loop.After(SimTime.Ticks(25), () => c.Deliver(m));
                return true;
            }

            return false;
        };
        c.RunTicks(25);
        c.Network.Isolate(old.Id);

        // The others elect a leader and commit a new value.
        Assert.True(c.RunUntil(() => c.Connected.Any(n => n.Core!.IsLeader), 4 * c.ElectionTicks));
        var next = c.Connected.Single(n => n.Core!.IsLeader);
        var ticket = c.Start(next.Id, KvCommand.Put("k", "v1"))!.Value;
        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count >= 3, 2 * c.ElectionTicks));

        // A client reads from the old leader (it still believes it leads: the late answers satisfy check-quorum).
        Assert.True(old.Core!.IsLeader);
        string? value = null;
        old.Read("k", (v, _) => value = v);
        c.RunTicks(1);
        Assert.True(value is null or "v1", $"the cut-off leader served '{value}' after 'v1' was committed elsewhere");
    }

    [Fact]
    public void HealthyLeaderServesLeaseReadsWithoutAHeartbeatRound()
    {
        var c = Scenario.Create(typeof(LeaseReadTests), nodes: 3, tweak: o => o with { ConfigureCore = core => core.LeaseReads = true });
        var leader = c[c.CheckOneLeader()];
        c.One(KvCommand.Put("k", "v0"), 3, retry: false);
        var heartbeats = c.Network.Count(RaftMessageType.Heartbeat);
        string? value = null;
        leader.Read("k", (v, _) => value = v);

        // Answered within the call: no message was needed.
        Assert.Equal("v0", value);
        Assert.Equal(heartbeats, c.Network.Count(RaftMessageType.Heartbeat));
    }

    /// <summary>
    /// A leader hands leadership over, but hears nothing back: the target's transfer campaign tells voters to ignore their lease,
    /// so the new leader is elected and commits at once. The old leader's lease no longer protects its reads.
    /// </summary>
    [Fact]
    public void ALeadershipTransferEndsTheLease()
    {
        var c = Scenario.Create(typeof(LeaseReadTests), nodes: 3, tweak: o => o with { ConfigureCore = core => core.LeaseReads = true });
        var old = c[c.CheckOneLeader()];
        c.One(KvCommand.Put("k", "v0"), 3, retry: false);
        c.RunTicks(2);
        foreach (var id in c.Nodes.Keys.Where(id => id != old.Id))
        {
            c.Network.CutOneWay(id, old.Id);
        }

        var target = c.Nodes.Keys.First(id => id != old.Id);
        old.Request("transfer", target, (core, id) => core.TransferLeadership(id, target), _ => { });
        Assert.True(c.RunUntil(() => c[target].Core!.IsLeader, 3));
        var ticket = c.Start(target, KvCommand.Put("k", "v1"))!.Value;
        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count >= 2, 3));

        Assert.True(old.Core!.IsLeader, "the old leader has not heard of the new term");
        string? value = null;
        old.Read("k", (v, _) => value = v);
        c.RunTicks(1);
        Assert.True(value is null or "v1", $"the old leader served '{value}' after 'v1' was committed by the transfer target");
    }
}
