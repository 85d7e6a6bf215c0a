using HsmRaft.Core;
using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Membership changes by joint consensus (thesis §4.3): several nodes at once, learners, leader removal, and faults.</summary>
public class MembershipTests
{
    private static Cluster Create(int nodes, Action<RaftCoreOptions>? core = null, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        Scenario.Create(typeof(MembershipTests), nodes, seed: 5, o => o with { SnapshotEvery = 20, ConfigureCore = core }, test);

    private static ClusterMember M(ulong id) => Cluster.Member(id);

    /// <summary>Submits a change on the current leader and waits for its answer.</summary>
    private static CoreCompletion? Change(Cluster c, MembershipChange change, double maxTicks = 200)
    {
        var leader = c[c.CheckOneLeader()];
        CoreCompletion? result = null;
        var answered = false;
        new MembershipChaos(c).Submit(leader, change, r =>
        {
            result = r;
            answered = true;
        });
        Assert.True(c.RunUntil(() => answered, maxTicks), $"no answer to '{change}' within {maxTicks} ticks");
        return result;
    }

    private static void Retire(Cluster c, IEnumerable<ulong> ids)
    {
        foreach (var id in ids)
        {
            c.Crash(id);
            c[id].Retired = true;
        }
    }

    private static void AssertVoters(Cluster c, params ulong[] voters)
    {
        var config = c[c.CheckOneLeader()].Core!.Configuration;
        Assert.False(config.IsJoint);
        Assert.Equal(voters.Select(v => new NodeId(v)), config.Voters);
    }

    [Fact]
    public void AddTwoVotersAtOnce()
    {
        var c = Create(3);
        c.One("before", 3, retry: true);
        var r = Change(c, new MembershipChange { AddVoters = [M(4), M(5)] });
        Assert.Null(r!.Value.Error);
        AssertVoters(c, 1, 2, 3, 4, 5);
        c.One("after", 5, retry: true);

        // Now two nodes may fail.
        c.Crash(c.CheckOneLeader().Value);
        c.Crash(c.CheckOneLeader().Value);
        c.One("two down", 3, retry: true);
    }

    [Fact]
    public void RemoveTwoVotersAtOnce()
    {
        var c = Create(5);
        c.One("before", 5, retry: true);
        var leader = c.CheckOneLeader().Value;
        var removed = Enumerable.Range(1, 5).Select(i => (ulong)i).Where(i => i != leader).Take(2).ToList();
        var r = Change(c, new MembershipChange { Remove = removed.Select(i => new NodeId(i)).ToList() });
        Assert.Null(r!.Value.Error);
        AssertVoters(c, Enumerable.Range(1, 5).Select(i => (ulong)i).Except(removed).ToArray());

        // The removed nodes are gone for good: the other three commit without them.
        Retire(c, removed);
        c.One("after", 3, retry: true);
    }

    [Fact]
    public void ReplaceAllThreeVotersInOneCall()
    {
        var c = Create(3);
        c.One("before", 3, retry: true);
        var r = Change(c, new MembershipChange { AddVoters = [M(4), M(5), M(6)], Remove = [1, 2, 3] });
        Assert.Null(r!.Value.Error);
        AssertVoters(c, 4, 5, 6);
        Retire(c, [1, 2, 3]);
        var index = c.One("after", 3, retry: true);
        Assert.All(new ulong[] { 4, 5, 6 }, id => Assert.True(c[id].Kv.Applied >= index));
    }

    [Fact]
    public void RemoveTheLeader()
    {
        var c = Create(3);
        c.One("before", 3, retry: true);
        var leader = c.CheckOneLeader().Value;
        var r = Change(c, new MembershipChange { Remove = [leader] });
        Assert.Null(r!.Value.Error);

        // It leads until C(new) commits, then hands over and steps down.
        var next = c.CheckOneLeader().Value;
        Assert.NotEqual(leader, next);
        AssertVoters(c, new ulong[] { 1, 2, 3 }.Where(i => i != leader).ToArray());
        c.One("after", 2, retry: true);
    }

    [Fact]
    public void AddLearnersThenPromoteThem()
    {
        var c = Create(3);
        for (var i = 0; i < 30; i++)
        {
            c.One($"fill{i}", 3, retry: true);
        }

        Assert.Null(Change(c, new MembershipChange { AddLearners = [M(4), M(5)] })!.Value.Error);
        Assert.Equal([new NodeId(4), new NodeId(5)], c[c.CheckOneLeader()].Core!.Configuration.Learners.ToArray());

        // Learners do not count: with one voter down and one learner down, two voters still commit.
        var leader = c.CheckOneLeader().Value;
        c.Crash((leader % 3) + 1);
        c.Crash(4);
        for (var i = 0; i < 25; i++)
        {
            c.One($"more{i}", 3, retry: true);
        }

        // Learner 4 comes back behind the leader's compacted log: the snapshot it installs carries the membership naming it.
        c.Restart((leader % 3) + 1);
        c.Restart(4);
        var index = c.One("learners", 5, retry: true);
        Assert.True(c[4].SnapshotsInstalled >= 1, "the learner caught up from a snapshot");
        Assert.True(c[4].Storage.Snapshot!.Configuration.IsLearner(4), $"snapshot membership: {c[4].Storage.Snapshot?.Configuration}");
        Assert.True(c[5].Kv.Applied >= index);

        Assert.Null(Change(c, new MembershipChange { Promote = [4, 5] })!.Value.Error);
        AssertVoters(c, 1, 2, 3, 4, 5);
        c.One("promoted", 5, retry: true);
    }

    [Fact]
    public void ChangeWhileAMinorityIsPartitioned()
    {
        var c = Create(5);
        c.One("before", 5, retry: true);
        var leader = c.CheckOneLeader().Value;
        var cut = Enumerable.Range(1, 5).Select(i => (ulong)i).Where(i => i != leader).Take(2).ToList();
        foreach (var id in cut)
        {
            c.Disconnect(id);
        }

        Assert.Null(Change(c, new MembershipChange { AddVoters = [M(6)], Demote = [new NodeId(cut[0])] })!.Value.Error);
        foreach (var id in cut)
        {
            c.Connect(id);
        }

        c.One("after", 6, retry: true);
        Assert.Equal(5, c[c.CheckOneLeader()].Core!.Configuration.Voters.Length);
    }

    [Fact]
    public void LeaderCrashesInTheJointConfiguration()
    {
        foreach (var crashNewSideToo in new[] { false, true })
        {
            var c = Create(3);
            c.One("before", 3, retry: true);
            var leader = c[c.CheckOneLeader()];

            // Crash the leader as soon as it appended C(old,new), before it could finish the change.
            new MembershipChaos(c).Submit(leader, new MembershipChange { AddVoters = [M(4), M(5)], Remove = [leader.Id] }, null);
            Assert.True(c.RunUntil(() => leader.Core?.Configuration.IsJoint == true, 100), "the leader entered the joint configuration");
            c.RunTicks(0.5);
            leader.Crash("crash in joint configuration");
            if (crashNewSideToo)
            {
                c.Crash(4);
                c.RunTicks(c.ElectionTicks);
                c.Restart(4);
            }

            // A new leader that finds C(old,new) in its log finishes the change; one that does not never started it.
            Assert.True(c.RunUntil(() => c.CurrentLeader is { } l && !l.Core!.Configuration.IsJoint && !l.Core.Status.MembershipChangeInProgress, 300));
            var voters = c.CurrentLeader!.Core!.Configuration.Voters;
            var whole = new ulong[] { 1, 2, 3, 4, 5 }.Where(v => v != leader.Id.Value).Select(v => new NodeId(v));
            var none = new ulong[] { 1, 2, 3 }.Select(v => new NodeId(v));
            Assert.True(voters.SequenceEqual(whole) || voters.SequenceEqual(none), $"either the whole change or none of it: voters {string.Join(",", voters)}");
            leader.Start();
            c.HealAndConverge();
        }
    }

    [Fact]
    public void RemovedNodeDoesNotDisruptTheCluster()
    {
        var c = Create(4);
        c.One("before", 4, retry: true);
        var leader = c.CheckOneLeader().Value;
        var removed = (leader % 4) + 1;

        // The removed node never hears that it was removed: it keeps campaigning with its old configuration.
        var campaigns = 0;
        c.Network.DropIf = m =>
        {
            campaigns += m is RequestVote && m.From == new NodeId(removed) ? 1 : 0;
            return m.To == new NodeId(removed) && m is AppendEntries or InstallSnapshot;
        };
        Assert.Null(Change(c, new MembershipChange { Remove = [removed] })!.Value.Error);
        var term = c[c.CheckOneLeader()].Core!.Status.Term;
        campaigns = 0;
        c.RunTicks(20 * c.ElectionTicks);
        Assert.True(campaigns > 0, "the removed node campaigned");
        Assert.Equal(term, c[c.CheckOneLeader()].Core!.Status.Term);
        c.One("after", 3, retry: true);
    }

    [Fact]
    public void SecondChangeIsRejectedWhileOneIsInProgress()
    {
        // A new voter must hold the leader's whole log before the joint configuration is appended.
        var c = Create(3, core => core.CatchUpMaxLag = 0);
        c.One("before", 3, retry: true);
        var leader = c[c.CheckOneLeader()];

        // Node 4 is down, so the first change waits for it to catch up.
        var chaos = new MembershipChaos(c);
        chaos.Submit(leader, new MembershipChange { AddVoters = [M(4)] }, null);
        c.Crash(4);
        var second = Change(c, new MembershipChange { AddLearners = [M(5)] });
        Assert.Contains("already in progress", second!.Value.Error!.Message);
        c.Restart(4);
        Assert.True(c.RunUntil(() => !leader.Core!.Status.MembershipChangeInProgress, 200));
        AssertVoters(c, 1, 2, 3, 4);
    }
}
