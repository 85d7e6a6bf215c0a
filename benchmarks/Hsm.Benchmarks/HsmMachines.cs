using Hsm;

namespace Hsm.Benchmarks;

/// <summary>Case 1: a flat two-state toggle.</summary>
[StateMachine]
public partial class ToggleHsm
{
    [Initial, Transition<Flip, B>] public partial class A;
    [Transition<Flip, A>] public partial class B;
}

/// <summary>Case 2: a 5-level hierarchy. Ping is handled by the top state while a depth-5 leaf is active; Cross moves between
/// the two depth-5 cousins (4 exits + 4 entries, each counting).</summary>
[StateMachine]
public partial class DeepHsm
{
    public int Count;

    [Initial, Internal<Ping>(Action = nameof(Pinged))]
    public partial class L1
    {
        void Pinged() => Machine.Count++;

        [Initial]
        public partial class L2
        {
            [Entry] void In() => Machine.Count++;
            [Exit] void Out() => Machine.Count++;

            [Initial]
            public partial class L3
            {
                [Entry] void In() => Machine.Count++;
                [Exit] void Out() => Machine.Count++;

                [Initial]
                public partial class L4
                {
                    [Entry] void In() => Machine.Count++;
                    [Exit] void Out() => Machine.Count++;

                    [Initial, Transition<Cross, M2.M3.M4.M5>]
                    public partial class L5
                    {
                        [Entry] void In() => Machine.Count++;
                        [Exit] void Out() => Machine.Count++;
                    }
                }
            }
        }

        public partial class M2
        {
            [Entry] void In() => Machine.Count++;
            [Exit] void Out() => Machine.Count++;

            [Initial]
            public partial class M3
            {
                [Entry] void In() => Machine.Count++;
                [Exit] void Out() => Machine.Count++;

                [Initial]
                public partial class M4
                {
                    [Entry] void In() => Machine.Count++;
                    [Exit] void Out() => Machine.Count++;

                    [Initial, Transition<Cross, L2.L3.L4.L5>]
                    public partial class M5
                    {
                        [Entry] void In() => Machine.Count++;
                        [Exit] void Out() => Machine.Count++;
                    }
                }
            }
        }
    }
}

/// <summary>Case 3: an internal transition (action only, no exit or entry).</summary>
[StateMachine]
public partial class InternalHsm
{
    public int Count;

    [Initial, Internal<Tick>(Action = nameof(Count1))]
    public partial class S
    {
        void Count1() => Machine.Count++;
    }
}

/// <summary>Case 4: two guarded transitions on one event; the first guard fails, the second passes.</summary>
[StateMachine]
public partial class GuardHsm
{
    public bool Flag;

    [Initial, Transition<Decide, Other>(Guard = nameof(IsSet)), Transition<Decide, T>(Guard = nameof(IsClear))]
    public partial class S
    {
        bool IsSet() => Machine.Flag;
        bool IsClear() => !Machine.Flag;
    }

    [Transition<Decide, Other>(Guard = nameof(IsSet)), Transition<Decide, S>(Guard = nameof(IsClear))]
    public partial class T
    {
        bool IsSet() => Machine.Flag;
        bool IsClear() => !Machine.Flag;
    }

    public partial class Other;
}

/// <summary>Case 5: leaving a composite and coming back through its shallow history.</summary>
[StateMachine]
public partial class HistoryHsm
{
    [Initial, Transition<Leave, Out>]
    public partial class H
    {
        [Initial, Transition<Flip, H2>] public partial class H1;

        public partial class H2;
    }

    [Transition<Back, ShallowHistory<H>>]
    public partial class Out;
}
