using Hsm;

namespace HsmRaft.Core;

internal sealed partial class RaftMachine
{
    private MembershipPlan? _plan;

    /// <summary>A membership change being carried out: the configurations to go through and the entry whose commit we await.</summary>
    private sealed class MembershipPlan
    {
        public long RequestId { get; init; }
        public required ClusterConfiguration Joint { get; init; }
        public required ClusterConfiguration Final { get; init; }
        public IReadOnlyList<NodeId> CatchUp { get; init; } = [];
        public long AwaitIndex { get; set; }
    }

    internal bool MembershipChangeInProgress => _plan is not null;

    internal sealed partial class Leader
    {
        /// <summary>Membership changes by joint consensus (thesis §4.3): learners catch up, C(old,new) commits, then C(new).</summary>
        [Region]
        internal sealed partial class Membership
        {
            /// <summary>A new leader finishes a joint configuration it inherited from its predecessor.</summary>
            [Initial]
            [Transition<Completion, Joint>(Guard = nameof(InheritedJoint))]
            [Transition<Completion, Stable>]
            internal sealed partial class Resolving
            {
                private bool InheritedJoint() => Machine.Config.IsJoint;
            }

            internal sealed partial class Stable
            {
                [On]
                private EventResult OnChange(in MembershipCommand c)
                {
                    var m = Machine;
                    if (!m.TryPlan(c, out var plan, out var error))
                    {
                        m.Complete(c.RequestId, CompletionKind.MembershipChange, 0, error);
                        return Handled;
                    }

                    if (plan is null)
                    {
                        // Nothing to change.
                        m.Complete(c.RequestId, CompletionKind.MembershipChange, m.ConfigIndex, null);
                        return Handled;
                    }

                    m._plan = plan;
                    if (plan.Final.Voters.SequenceEqual(m.Config.Voters))
                    {
                        // Learners only: quorums are unaffected, one configuration entry is enough.
                        plan.AwaitIndex = m.AppendConfiguration(plan.Final);
                        return Goto<Leaving>();
                    }

                    if (plan.CatchUp.Count > 0)
                    {
                        var added = plan.Joint.Members.Where(x => !m.Config.Contains(x.Id)).ToList();
                        if (added.Count > 0)
                        {
                            // New voters join as learners first, so they receive the log without affecting quorums.
                            plan.AwaitIndex = m.AppendConfiguration(new ClusterConfiguration(
                                m.Config.Members.Concat(added), m.Config.Voters, m.Config.Learners.Concat(added.Select(x => x.Id)), []));
                        }

                        return Goto<CatchingUp>();
                    }

                    plan.AwaitIndex = m.AppendConfiguration(plan.Joint);
                    return Goto<Joint>();
                }
            }

            /// <summary>Waits until every new voter's log is within <see cref="RaftCoreOptions.CatchUpMaxLag"/> of the leader's.</summary>
            internal sealed partial class CatchingUp
            {
                private int _elapsed;

                [Entry]
                private void Enter() => _elapsed = 0;

                [On]
                private EventResult OnCheck(in LeaderCheck c)
                {
                    var m = Machine;
                    var plan = m._plan!;
                    // A node that has acknowledged nothing (match 0) is not caught up however short the log: otherwise an
                    // unreachable node would become a voter whenever the log is shorter than CatchUpMaxLag, silently costing the
                    // cluster its fault tolerance.
                    var lagging = plan.CatchUp.Where(n => m.MatchOf(n) == 0 || m.MatchOf(n) + m.Options.CatchUpMaxLag < m.Log.LastIndex).ToList();
                    if (lagging.Count == 0 && m.Log.Committed >= plan.AwaitIndex)
                    {
                        plan.AwaitIndex = m.AppendConfiguration(plan.Joint);
                        return Goto<Joint>();
                    }

                    if (c.FromTick && ++_elapsed >= m.Options.EffectiveCatchUpTimeoutTicks)
                    {
                        m.FinishPlan(new RaftException(
                            $"New voters {string.Join(", ", lagging)} did not catch up within {m.Options.EffectiveCatchUpTimeoutTicks} ticks " +
                            $"(allowed lag {m.Options.CatchUpMaxLag} entries); they remain learners and no voter changed. Check that they are reachable and retry."));
                        return Goto<Stable>();
                    }

                    return Unhandled;
                }
            }

            /// <summary>C(old,new) is in force: elections and commits need both majorities. Once it commits, append C(new).</summary>
            internal sealed partial class Joint
            {
                [Entry]
                private void Enter()
                {
                    var m = Machine;
                    m._plan ??= new MembershipPlan { Joint = m.Config, Final = m.Config.LeaveJoint(), AwaitIndex = m.ConfigIndex };
                }

                [On]
                private EventResult OnCheck(in LeaderCheck c)
                {
                    var m = Machine;
                    var plan = m._plan!;
                    if (m.Log.Committed < plan.AwaitIndex)
                    {
                        return Unhandled;
                    }

                    plan.AwaitIndex = m.AppendConfiguration(plan.Final);
                    return Goto<Leaving>();
                }
            }

            /// <summary>C(new) is appended; the change is done when it commits. A leader outside C(new) then steps down.</summary>
            internal sealed partial class Leaving
            {
                [On]
                private EventResult OnCheck(in LeaderCheck c)
                {
                    var m = Machine;
                    var plan = m._plan!;
                    if (m.Log.Committed < plan.AwaitIndex)
                    {
                        return Unhandled;
                    }

                    m.FinishPlan(null);
                    if (m.Config.IsVoter(m.Id))
                    {
                        return Goto<Stable>();
                    }

                    // Removed from the voters: hand leadership to the most up-to-date remaining voter, then follow.
                    m.HandOffLeadership();
                    m.LeaderId = NodeId.None;
                    return Goto<Follower>();
                }
            }
        }
    }

    private void FinishPlan(RaftException? error)
    {
        if (_plan is { RequestId: not 0 } plan)
        {
            Complete(plan.RequestId, CompletionKind.MembershipChange, plan.AwaitIndex, error);
        }

        _plan = null;
    }

    private void HandOffLeadership()
    {
        var best = MostUpToDateVoter();
        if (!best.IsNone)
        {
            Transmit(new Messages.TimeoutNow { From = Id, To = best, Term = Term });
        }
    }

    /// <summary>The other voter of the configuration in force with the longest replicated log, preferring peers that answered
    /// recently (a transfer to a crashed node would only time out); none when this node is the only voter.</summary>
    private NodeId MostUpToDateVoter() =>
        Config.Voters.Where(v => v != Id && _progress.ContainsKey(v))
            .OrderByDescending(v => _progress[v].RecentActive)
            .ThenByDescending(v => _progress[v].Match)
            .FirstOrDefault();

    /// <summary>Validates a change against the configuration in force and computes the joint and final configurations.</summary>
    private bool TryPlan(MembershipCommand command, out MembershipPlan? plan, out RaftException? error)
    {
        plan = null;
        error = null;
        var c = command.Change;
        var current = Config;
        var listed = c.AddVoters.Select(m => m.Id).Concat(c.AddLearners.Select(m => m.Id)).Concat(c.Remove).Concat(c.Promote).Concat(c.Demote).ToList();
        string? problem = null;
        if (listed.Any(id => id.IsNone))
        {
            problem = "node id 0 is reserved; use positive ids";
        }
        else if (listed.Count != listed.Distinct().Count())
        {
            problem = "a node appears more than once in the change; list each node in one place";
        }
        else if (c.AddVoters.Concat(c.AddLearners).FirstOrDefault(m => current.Contains(m.Id)) is { Id.IsNone: false } existing)
        {
            problem = $"node {existing.Id} is already a member; use Promote or Demote to change its role";
        }
        else if (c.AddVoters.Concat(c.AddLearners).Any(m => string.IsNullOrWhiteSpace(m.Address)))
        {
            problem = "every added node needs an address";
        }
        else if (c.Remove.FirstOrDefault(id => !current.Contains(id)) is { IsNone: false } unknown)
        {
            problem = $"node {unknown} is not a member, so it cannot be removed";
        }
        else if (c.Promote.FirstOrDefault(id => !current.IsLearner(id)) is { IsNone: false } notLearner)
        {
            problem = $"node {notLearner} is not a learner, so it cannot be promoted";
        }
        else if (c.Demote.FirstOrDefault(id => !current.Voters.Contains(id)) is { IsNone: false } notVoter)
        {
            problem = $"node {notVoter} is not a voter, so it cannot be demoted";
        }

        var voters = current.Voters.Except(c.Remove).Except(c.Demote).Concat(c.AddVoters.Select(m => m.Id)).Concat(c.Promote).ToHashSet();
        var learners = current.Learners.Except(c.Remove).Except(c.Promote).Concat(c.AddLearners.Select(m => m.Id)).Concat(c.Demote).ToHashSet();
        if (problem is null && voters.Count == 0)
        {
            problem = "it would leave the cluster without voters; keep at least one voter";
        }

        if (problem is not null)
        {
            error = new RaftException($"Invalid membership change ({c}): {problem}.");
            return false;
        }

        if (voters.SetEquals(current.Voters) && learners.SetEquals(current.Learners))
        {
            return true;
        }

        var members = current.Members.Concat(c.AddVoters).Concat(c.AddLearners).ToList();
        var final = new ClusterConfiguration(members.Where(m => voters.Contains(m.Id) || learners.Contains(m.Id)), voters, learners, []);
        var joint = new ClusterConfiguration(members, voters, learners, current.Voters);
        plan = new MembershipPlan
        {
            RequestId = command.RequestId,
            Joint = joint,
            Final = final,
            CatchUp = c.AddVoters.Select(m => m.Id).Concat(c.Promote).ToList(),
        };
        return true;
    }
}
