using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Open1;
public readonly record struct Stop1;
public readonly record struct Flip;
public readonly record struct Quit;
public readonly record struct Jump;
public readonly record struct Save;
public readonly record struct LockSaver;
public readonly record struct UnlockSaver;
public readonly record struct Resume;

/// <summary>
/// Orthogonal regions with history and deferral.
/// <code>
/// Idle (initial)   Open1 → Active, Resume → H*(Active), [Defer Save]
/// Active           Stop1 → Idle
/// ║ Text:   Plain (initial) Flip → Bold, Quit → Idle  |  Bold  Flip → Plain, Jump → Lists.Numbered
/// ║ Lists:  NoList (initial) Flip → Bullets, [Defer Save], Quit logs  |  Bullets  Flip → NoList, Jump logs  |  Numbered
/// ║ Saver:  Clean (initial) Save logs, LockSaver → Locked  |  Locked  UnlockSaver → Clean
/// </code>
/// </summary>
[StateMachine]
public partial class Editor
{
    public List<string> Log { get; } = [];

    void Enter(string name) => Log.Add("enter " + name);

    void Exit(string name) => Log.Add("exit " + name);

    [Initial, Transition<Open1, Active>, Transition<Resume, DeepHistory<Active>>, Defer<Save>]
    public partial class Idle
    {
        [Entry] void In() => Machine.Enter("Idle");
        [Exit] void Out() => Machine.Exit("Idle");
    }

    [Transition<Stop1, Idle>]
    public partial class Active
    {
        [Entry] void In() => Machine.Enter("Active");
        [Exit] void Out() => Machine.Exit("Active");

        [Region]
        public partial class Text
        {
            [Initial, Transition<Flip, Bold>, Transition<Quit, Idle>]
            public partial class Plain
            {
                [Entry] void In() => Machine.Enter("Plain");
                [Exit] void Out() => Machine.Exit("Plain");
            }

            [Transition<Flip, Plain>, Transition<Jump, Lists.Numbered>]
            public partial class Bold
            {
                [Entry] void In() => Machine.Enter("Bold");
                [Exit] void Out() => Machine.Exit("Bold");
            }
        }

        [Region]
        public partial class Lists
        {
            [Initial, Transition<Flip, Bullets>, Defer<Save>]
            public partial class NoList
            {
                [Entry] void In() => Machine.Enter("NoList");
                [Exit] void Out() => Machine.Exit("NoList");
                [On] void OnQuit(in Quit e) => Machine.Log.Add("NoList saw Quit");
            }

            [Transition<Flip, NoList>]
            public partial class Bullets
            {
                [Entry] void In() => Machine.Enter("Bullets");
                [Exit] void Out() => Machine.Exit("Bullets");
                [On] void OnJump(in Jump e) => Machine.Log.Add("Bullets saw Jump");
            }

            public partial class Numbered
            {
                [Entry] void In() => Machine.Enter("Numbered");
                [Exit] void Out() => Machine.Exit("Numbered");
            }
        }

        [Region]
        public partial class Saver
        {
            [Initial, Transition<LockSaver, Locked>]
            public partial class Clean
            {
                [Entry] void In() => Machine.Enter("Clean");
                [Exit] void Out() => Machine.Exit("Clean");
                [On] void OnSave(in Save e) => Machine.Log.Add("saved");
            }

            [Transition<UnlockSaver, Clean>]
            public partial class Locked
            {
                [Entry] void In() => Machine.Enter("Locked");
                [Exit] void Out() => Machine.Exit("Locked");
            }
        }
    }
}
