using Hsm;

namespace HsmRaft.Core;

internal sealed partial class RaftMachine
{
    private TransferCommand? _transfer;
    private bool _timeoutNowSent;
    private int _transferElapsed;

    internal sealed partial class Leader
    {
        /// <summary>What the leader does with client work: wait for its term's no-op to commit, serve, or hand over leadership.</summary>
        [Region]
        internal sealed partial class Replication
        {
            /// <summary>The no-op of this term is not committed yet, so the commit index may lag the true one: reads and
            /// transfers wait (deferred), proposals are accepted.</summary>
            [Initial]
            [Defer<ReadCommand>]
            [Defer<TransferCommand>]
            [Transition<LeaderCheck, Serving>(Guard = nameof(OwnTermCommitted))]
            internal sealed partial class Establishing
            {
                private bool OwnTermCommitted() => Machine.Log.Term(Machine.Log.Committed) == Machine.Term;

                [On]
                private void OnPropose(in ProposeCommand c) => Machine.AppendCommand(c);
            }

            /// <summary>Normal operation.</summary>
            internal sealed partial class Serving
            {
                [On]
                private void OnPropose(in ProposeCommand c) => Machine.AppendCommand(c);

                [On]
                private void OnRead(in ReadCommand c) => Machine.StartRead(c.RequestId);

                [On]
                private EventResult OnTransfer(in TransferCommand c)
                {
                    var m = Machine;
                    var target = c.Target;
                    if (target.IsNone)
                    {
                        // No target named: the voter that needs the least catching up.
                        var best = m.MostUpToDateVoter();
                        if (best.IsNone)
                        {
                            m.Complete(c.RequestId, CompletionKind.LeadershipTransfer, 0, new RaftException(
                                $"Cannot transfer leadership: node {m.Id} is the only voter of the current configuration ({m.Config})."));
                            return Handled;
                        }

                        target = best;
                    }

                    if (target == m.Id)
                    {
                        m.Complete(c.RequestId, CompletionKind.LeadershipTransfer, 0, null);
                        return Handled;
                    }

                    if (!m.Config.IsVoter(target) || !m._progress.ContainsKey(target))
                    {
                        m.Complete(c.RequestId, CompletionKind.LeadershipTransfer, 0, new RaftException(
                            $"Cannot transfer leadership to node {target}: it is not a voter of the current configuration ({m.Config})."));
                        return Handled;
                    }

                    m._transfer = c with { Target = target };
                    return Goto<Transferring>();
                }
            }

            /// <summary>Thesis §3.10: stop taking proposals, bring the target up to date, then tell it to campaign at once.</summary>
            internal sealed partial class Transferring
            {
                [Entry]
                private void Enter()
                {
                    var m = Machine;
                    m._transferElapsed = 0;
                    m._timeoutNowSent = false;
                    m.SendTimeoutNowIfCaughtUp();
                }

                [Exit]
                private void Exit()
                {
                    // Still pending here means leadership itself is ending: after TimeoutNow that is the transfer succeeding.
                    var m = Machine;
                    if (m._transfer is { } t)
                    {
                        m.Complete(t.RequestId, CompletionKind.LeadershipTransfer, 0, m._timeoutNowSent ? null : new RaftException(
                            $"Node {m.Id} lost leadership before handing it to node {t.Target}; check the cluster status and retry if needed."));
                        m._transfer = null;
                    }
                }

                [On]
                private void OnPropose(in ProposeCommand c) =>
                    c.Error = new RaftException($"Node {Machine.Id} is handing leadership over to node {Machine._transfer?.Target}; retry on the new leader.");

                [On]
                private void OnRead(in ReadCommand c) => Machine.StartRead(c.RequestId);

                [On]
                private EventResult OnCheck(in LeaderCheck c)
                {
                    var m = Machine;
                    if (c.FromTick && ++m._transferElapsed >= m.Options.EffectiveTransferTimeoutTicks && m._transfer is { } t)
                    {
                        m.Complete(t.RequestId, CompletionKind.LeadershipTransfer, 0, new RaftException(
                            $"Leadership transfer to node {t.Target} did not complete within {m.Options.EffectiveTransferTimeoutTicks} ticks; " +
                            $"node {m.Id} keeps leading. Check that node {t.Target} is reachable and retry."));
                        m._transfer = null;
                        return Goto<Serving>();
                    }

                    m.SendTimeoutNowIfCaughtUp();
                    return Unhandled;
                }
            }
        }
    }

    private void SendTimeoutNowIfCaughtUp()
    {
        if (_timeoutNowSent || _transfer is not { } t || !_progress.TryGetValue(t.Target, out var p))
        {
            return;
        }

        if (p.Match >= Log.LastIndex)
        {
            Transmit(new Messages.TimeoutNow { From = Id, To = t.Target, Term = Term });
            _timeoutNowSent = true;
            BreakLease();
        }
        else
        {
            p.Dispatch(new Progress.Pump(Retry: false));
        }
    }
}
