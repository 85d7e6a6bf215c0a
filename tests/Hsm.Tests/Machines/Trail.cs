using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Hop;
public readonly record struct Leap;
public readonly record struct Return;

/// <summary>Every entry and exit appends one hex digit to <see cref="Trace"/> with plain arithmetic, so all of this machine's
/// steps are trivial (ADR 0007) and take the fast path with quiet transitions, yet the order of the exits and entries and
/// the active state after each step stay observable.</summary>
[StateMachine]
public partial class Trail
{
    public long Trace;

    [Initial, Transition<Leap, Q>]
    public partial class P
    {
        [Entry] void In() => Machine.Trace = Machine.Trace * 16 + 0x1;
        [Exit] void Out() => Machine.Trace = Machine.Trace * 16 + 0x2;

        [Initial]
        public partial class P1
        {
            [Entry] void In() => Machine.Trace = Machine.Trace * 16 + 0x3;
            [Exit] void Out() => Machine.Trace = Machine.Trace * 16 + 0x4;

            [Initial, Transition<Hop, P2>]
            public partial class P11
            {
                [Entry] void In() => Machine.Trace = Machine.Trace * 16 + 0x5;
                [Exit] void Out() => Machine.Trace = Machine.Trace * 16 + 0x6;
            }
        }

        public partial class P2
        {
            [Entry] void In() => Machine.Trace = Machine.Trace * 16 + 0x7;
            [Exit] void Out() => Machine.Trace = Machine.Trace * 16 + 0x8;
        }
    }

    [Transition<Return, ShallowHistory<P>>, Transition<Hop, P.P1.P11>]
    public partial class Q
    {
        [Entry] void In() => Machine.Trace = Machine.Trace * 16 + 0x9;
        [Exit] void Out() => Machine.Trace = Machine.Trace * 16 + 0xA;
    }
}
