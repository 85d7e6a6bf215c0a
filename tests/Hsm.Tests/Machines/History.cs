using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Pause;
public readonly record struct ResumeShallow;
public readonly record struct ResumeDeep;
public readonly record struct Restart;
public readonly record struct OpenMenu;
public readonly record struct Advance;

/// <summary>
/// <code>
/// Off (initial)  ResumeShallow → H(On), ResumeDeep → H*(On), Restart → On, OpenMenu → H(Menu)
/// On  [HistoryDefault Fast]   Pause → Off
/// ├── Slow (initial): S1 (initial) → S2 → Fast.F1 (Advance)
/// └── Fast:           F1 (initial) → F2 → Slow.S1 (Advance)
/// Menu (no history default): M1 (initial) → M2 (Advance), Pause → Off
/// </code>
/// </summary>
[StateMachine]
public partial class History
{
    public List<string> Log { get; } = [];

    [Initial]
    [Transition<ResumeShallow, ShallowHistory<On>>]
    [Transition<ResumeDeep, DeepHistory<On>>]
    [Transition<Restart, On>]
    [Transition<OpenMenu, ShallowHistory<Menu>>]
    public partial class Off
    {
        [Entry] void In() => Machine.Log.Add("enter Off");
        [Exit] void Out() => Machine.Log.Add("exit Off");
    }

    [HistoryDefault<Fast>]
    [Transition<Pause, Off>]
    public partial class On
    {
        [Entry] void In() => Machine.Log.Add("enter On");
        [Exit] void Out() => Machine.Log.Add("exit On");

        [Initial]
        public partial class Slow
        {
            [Entry] void In() => Machine.Log.Add("enter Slow");
            [Exit] void Out() => Machine.Log.Add("exit Slow");

            [Initial, Transition<Advance, S2>]
            public partial class S1
            {
                [Entry] void In() => Machine.Log.Add("enter S1");
                [Exit] void Out() => Machine.Log.Add("exit S1");
            }

            [Transition<Advance, Fast.F1>]
            public partial class S2
            {
                [Entry] void In() => Machine.Log.Add("enter S2");
                [Exit] void Out() => Machine.Log.Add("exit S2");
            }
        }

        public partial class Fast
        {
            [Entry] void In() => Machine.Log.Add("enter Fast");
            [Exit] void Out() => Machine.Log.Add("exit Fast");

            [Initial, Transition<Advance, F2>]
            public partial class F1
            {
                [Entry] void In() => Machine.Log.Add("enter F1");
                [Exit] void Out() => Machine.Log.Add("exit F1");
            }

            [Transition<Advance, Slow.S1>]
            public partial class F2
            {
                [Entry] void In() => Machine.Log.Add("enter F2");
                [Exit] void Out() => Machine.Log.Add("exit F2");
            }
        }
    }

    [Transition<Pause, Off>]
    public partial class Menu
    {
        [Entry] void In() => Machine.Log.Add("enter Menu");
        [Exit] void Out() => Machine.Log.Add("exit Menu");

        [Initial, Transition<Advance, M2>]
        public partial class M1
        {
            [Entry] void In() => Machine.Log.Add("enter M1");
        }

        public partial class M2
        {
            [Entry] void In() => Machine.Log.Add("enter M2");
        }
    }
}
