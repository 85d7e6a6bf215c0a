using Stateless;

namespace Hsm.Benchmarks;

// The same machines with Stateless 5.20.1. Stateless has no history states: case 5 records the last substate on exit and
// uses PermitDynamic, the documented way to emulate it.

public enum St { A, B, L1, L2, L3, L4, L5, M2, M3, M4, M5, S, T, Other, H, H1, H2, Out }

public enum Tr { Flip, Ping, Cross, Tick, Decide, Leave, Back }

public static class StatelessMachines
{
    public static StateMachine<St, Tr> Toggle()
    {
        var m = new StateMachine<St, Tr>(St.A);
        m.Configure(St.A).Permit(Tr.Flip, St.B);
        m.Configure(St.B).Permit(Tr.Flip, St.A);
        return m;
    }

    public sealed class Counter
    {
        public int Count;
    }

    public static StateMachine<St, Tr> Deep(Counter c)
    {
        var m = new StateMachine<St, Tr>(St.L5);
        m.Configure(St.L1).InternalTransition(Tr.Ping, () => c.Count++);
        foreach (var (state, parent) in new[] { (St.L2, St.L1), (St.L3, St.L2), (St.L4, St.L3), (St.L5, St.L4), (St.M2, St.L1), (St.M3, St.M2), (St.M4, St.M3), (St.M5, St.M4) })
        {
            m.Configure(state).SubstateOf(parent).OnEntry(() => c.Count++).OnExit(() => c.Count++);
        }

        m.Configure(St.L5).Permit(Tr.Cross, St.M5);
        m.Configure(St.M5).Permit(Tr.Cross, St.L5);
        return m;
    }

    public static StateMachine<St, Tr> Internal(Counter c)
    {
        var m = new StateMachine<St, Tr>(St.S);
        m.Configure(St.S).InternalTransition(Tr.Tick, () => c.Count++);
        return m;
    }

    public sealed class Flags
    {
        public bool Flag;
    }

    public static StateMachine<St, Tr> Guard(Flags f)
    {
        var m = new StateMachine<St, Tr>(St.S);
        m.Configure(St.S).PermitIf(Tr.Decide, St.Other, () => f.Flag).PermitIf(Tr.Decide, St.T, () => !f.Flag);
        m.Configure(St.T).PermitIf(Tr.Decide, St.Other, () => f.Flag).PermitIf(Tr.Decide, St.S, () => !f.Flag);
        return m;
    }

    public static StateMachine<St, Tr> History()
    {
        var last = St.H1;
        var m = new StateMachine<St, Tr>(St.H2);
        m.Configure(St.H).Permit(Tr.Leave, St.Out);
        m.Configure(St.H1).SubstateOf(St.H).OnExit(() => last = St.H1).Permit(Tr.Flip, St.H2);
        m.Configure(St.H2).SubstateOf(St.H).OnExit(() => last = St.H2);
        m.Configure(St.Out).PermitDynamic(Tr.Back, () => last);
        return m;
    }
}
