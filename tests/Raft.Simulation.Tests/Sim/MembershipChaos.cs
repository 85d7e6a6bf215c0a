using HsmRaft.Core;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// Random membership changes by joint consensus: add one or two new voters at once, add learners, promote and demote,
/// remove one or two members, or replace voters with new nodes in a single call. New nodes start with an empty disk and wait
/// to be added; removed nodes keep running (they must not disrupt the cluster). Ids are never reused.
/// </summary>
internal sealed class MembershipChaos(Cluster cluster, int maxVoters = 5, int maxNodesEver = 12)
{
    private ulong _nextId = (ulong)cluster.Nodes.Count + 1;

    public int Requested { get; private set; }

    public int Succeeded { get; private set; }

    public int Refused { get; private set; }

    public List<string> Log { get; } = [];

    /// <summary>Asks the current leader for a random change; the outcome is only recorded (failures are legitimate under faults).</summary>
    public void RandomChange()
    {
        if (cluster.CurrentLeader is not { } leader || NewChange(leader.Core!.Configuration) is not { } change)
        {
            return;
        }

        Submit(leader, change, null);
    }

    /// <summary>Submits <paramref name="change"/>; <paramref name="done"/> gets the completion (null when the leader crashed first).</summary>
    public void Submit(SimNode leader, MembershipChange change, Action<CoreCompletion?>? done)
    {
        foreach (var m in change.AddVoters.Concat(change.AddLearners).Where(m => !cluster.Nodes.ContainsKey(m.Id)))
        {
            cluster.AddEmptyNode(m.Id);
        }

        Requested++;
        var text = change.ToString();
        leader.Request("membership", text, (core, id) => core.ChangeMembership(id, change), c =>
        {
            if (c is { Error: null })
            {
                Succeeded++;
            }
            else if (c is { Error: { } e })
            {
                Refused++;
                Log.Add($"t{cluster.NowTicks} {text}: {e.Message}");
            }

            done?.Invoke(c);
        });
    }

    private MembershipChange? NewChange(ClusterConfiguration config)
    {
        var rng = cluster.Random;
        var voters = config.Voters.ToList();
        var learners = config.Learners.Where(l => !config.IsVoter(l)).ToList();
        var canAdd = cluster.Nodes.Count < maxNodesEver;
        switch (rng.Next(6))
        {
            case 0 when canAdd && voters.Count < maxVoters:
                return new MembershipChange { AddVoters = Fresh(Math.Min(rng.Next(1, 3), maxVoters - voters.Count)) };
            case 1 when canAdd:
                return new MembershipChange { AddLearners = Fresh(1) };
            case 2 when learners.Count > 0 && voters.Count < maxVoters:
                return new MembershipChange { Promote = [learners[rng.Next(learners.Count)]] };
            case 3 when voters.Count > 3:
                return new MembershipChange { Demote = [voters[rng.Next(voters.Count)]] };
            case 4:
            {
                // Remove one or two members, keeping at least three voters.
                var remove = new List<NodeId>();
                var votersLeft = voters.Count;
                foreach (var id in voters.Concat(learners).OrderBy(_ => rng.Next()).Take(rng.Next(1, 3)))
                {
                    if (!config.IsVoter(id) || votersLeft-- > 3)
                    {
                        remove.Add(id);
                    }
                }

                return remove.Count == 0 ? null : new MembershipChange { Remove = remove };
            }

            case 5 when canAdd && voters.Count > 1:
            {
                var count = Math.Min(rng.Next(1, 3), voters.Count - 1);
                return new MembershipChange
                {
                    Remove = voters.OrderBy(_ => rng.Next()).Take(count).ToList(),
                    AddVoters = Fresh(count),
                };
            }

            default:
                return null;
        }
    }

    private List<ClusterMember> Fresh(int count)
    {
        var list = new List<ClusterMember>();
        for (var i = 0; i < count; i++)
        {
            list.Add(Cluster.Member(_nextId++));
        }

        return list;
    }

    /// <summary>
    /// After the faults stop: any change in progress must finish (a new leader completes an inherited joint configuration), and
    /// a fresh change must then succeed. Fails the run otherwise.
    /// </summary>
    public void RequireCompletion(double maxTicks)
    {
        if (!cluster.RunUntil(() => cluster.CurrentLeader is { } l && !l.Core!.Status.MembershipChangeInProgress && !l.Core.Configuration.IsJoint, maxTicks))
        {
            cluster.Fail("membership change completes after healing",
                $"leader {cluster.CurrentLeader?.Id} still changing membership: {cluster.CurrentLeader?.Core!.Configuration}");
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var leader = cluster.CurrentLeader!;
            var config = leader.Core!.Configuration;
            var change = config.Learners.Length > 0
                ? new MembershipChange { Remove = [config.Learners[0]] }
                : new MembershipChange { AddLearners = Fresh(1) };
            CoreCompletion? outcome = null;
            var answered = false;
            Submit(leader, change, c =>
            {
                outcome = c;
                answered = true;
            });
            if (!cluster.RunUntil(() => answered, maxTicks))
            {
                cluster.Fail("membership change completes after healing", $"change '{change}' got no answer within {maxTicks} ticks");
            }

            if (outcome is { Error: null })
            {
                return;
            }

            // Leadership may still move once after healing (e.g. a removed leader stepping down); try again on the new leader.
            cluster.RunUntil(() => cluster.CurrentLeader is not null, maxTicks);
        }

        cluster.Fail("membership change completes after healing", "five consecutive changes failed on a healed network: " + string.Join(" | ", Log.TakeLast(5)));
    }
}
