using Hsm;
using HsmRaft.Messages;

namespace HsmRaft.Core;

internal sealed partial class RaftMachine
{
    private readonly Dictionary<NodeId, bool> _votes = [];

    private VoteOutcome CurrentVoteOutcome => Quorum.Tally(Config, _votes);

    /// <summary>Asks every other voter of the configuration (both halves while joint) for a vote.</summary>
    private void RequestVotes(bool preVote, long term, bool transfer)
    {
        _votes.Clear();
        _votes[Id] = true;
        foreach (var voter in Config.Voters.Concat(Config.OutgoingVoters).Distinct())
        {
            if (voter == Id)
            {
                continue;
            }

            var request = new RequestVote
            {
                From = Id,
                To = voter,
                Term = term,
                PreVote = preVote,
                LastLogIndex = Log.LastIndex,
                LastLogTerm = Log.LastTerm,
                LeadershipTransfer = transfer,
            };

            // A real candidate's own vote and term must be durable before it asks (a pre-vote changes nothing).
            if (preVote)
            {
                Transmit(request);
            }
            else
            {
                TransmitAfterPersist(request);
            }
        }
    }

    /// <summary>Campaigning: shared by pre-candidates and candidates.</summary>
    internal sealed partial class Campaign
    {
        [On]
        private EventResult OnTick(in Tick t)
        {
            var m = Machine;
            m.ElectionElapsed++;
            if (!m.ElectionTimedOut)
            {
                return Handled;
            }

            // Split vote or lost messages: start over with a fresh randomized timeout.
            return m.Options.PreVote ? Goto<PreCandidate>() : Goto<Candidate>();
        }

        // A leader of our term exists: follow it and handle its message as a follower (re-dispatch after the transition).
        [On]
        private EventResult OnAppend(in AppendEntries a)
        {
            Machine.DispatchNext(a);
            return Goto<Follower>();
        }

        [On]
        private EventResult OnHeartbeat(in Heartbeat h)
        {
            Machine.DispatchNext(h);
            return Goto<Follower>();
        }

        [On]
        private EventResult OnSnapshotChunk(in InstallSnapshot s)
        {
            Machine.DispatchNext(s);
            return Goto<Follower>();
        }

        /// <summary>Pre-vote (thesis §9.6): would a majority vote for us in the next term? Our term does not change.</summary>
        [Initial]
        [Transition<Completion, Candidate>(Guard = nameof(Won))]
        internal sealed partial class PreCandidate
        {
            [Entry]
            private void Enter()
            {
                var m = Machine;
                m.Role = RaftRole.PreCandidate;
                m.LeaderId = NodeId.None;
                m.ResetElectionTimer();
                m.RequestVotes(preVote: true, m.Term + 1, transfer: false);
            }

            private bool Won() => Machine.CurrentVoteOutcome == VoteOutcome.Won;

            [On]
            private EventResult OnVote(in RequestVoteResponse r)
            {
                var m = Machine;
                if (!r.PreVote || !(r.Term == m.Term + 1 || (!r.Granted && r.Term == m.Term)) || !m.Config.IsVoter(r.From))
                {
                    return Handled;
                }

                m._votes[r.From] = r.Granted;
                return m.CurrentVoteOutcome switch
                {
                    VoteOutcome.Won => Goto<Candidate>(),
                    VoteOutcome.Lost => Goto<Follower>(),
                    _ => Handled,
                };
            }
        }

        /// <summary>Raft §5.2: a new term, a vote for ourselves (durable before anyone hears of it), then ask the others.</summary>
        [Transition<Completion, Leader>(Guard = nameof(Won))]
        internal sealed partial class Candidate
        {
            [Entry]
            private void Enter()
            {
                var m = Machine;
                m.Term++;
                m.VotedFor = m.Id;
                m.LeaderId = NodeId.None;
                m.Role = RaftRole.Candidate;
                m.ResetElectionTimer();
                m.RequestVotes(preVote: false, m.Term, transfer: m._campaignIsTransfer);
                m._campaignIsTransfer = false;
            }

            private bool Won() => Machine.CurrentVoteOutcome == VoteOutcome.Won;

            [On]
            private EventResult OnVote(in RequestVoteResponse r)
            {
                var m = Machine;
                if (r.PreVote || r.Term != m.Term || !m.Config.IsVoter(r.From))
                {
                    return Handled;
                }

                m._votes[r.From] = r.Granted;
                return m.CurrentVoteOutcome switch
                {
                    VoteOutcome.Won => Goto<Leader>(),
                    VoteOutcome.Lost => Goto<Follower>(),
                    _ => Handled,
                };
            }
        }
    }
}
