using Hsm;

namespace Hsm.Tests;

public readonly record struct Go;
public readonly record struct Next;
public readonly record struct Stop;
public readonly record struct Ping;

[StateMachine]
public partial class Player
{
    public List<string> Trace { get; } = [];

    [Initial]
    [Transition<Go, Running>]
    public partial class Idle
    {
        [Entry] void In() => Machine.Trace.Add("enter Idle");
        [Exit] void Out() => Machine.Trace.Add("exit Idle");
    }

    [Transition<Stop, Idle>]
    [Defer<Ping>]
    public partial class Running
    {
        [Entry] void In() => Machine.Trace.Add("enter Running");
        [Exit] void Out() => Machine.Trace.Add("exit Running");

        [Region]
        public partial class Audio
        {
            [Initial, Transition<Next, Loud>]
            public partial class Quiet
            {
                [Entry] void In() => Machine.Trace.Add("enter Quiet");
                [Exit] void Out() => Machine.Trace.Add("exit Quiet");
            }

            public partial class Loud
            {
                [Entry] void In() => Machine.Trace.Add("enter Loud");
                [Exit] void Out() => Machine.Trace.Add("exit Loud");
            }
        }

        [Region]
        public partial class Video
        {
            [Initial, Transition<Next, Color>]
            public partial class Mono
            {
                [Entry] void In() => Machine.Trace.Add("enter Mono");
                [Exit] void Out() => Machine.Trace.Add("exit Mono");
            }

            public partial class Color
            {
                [Entry] void In() => Machine.Trace.Add("enter Color");
                [Exit] void Out() => Machine.Trace.Add("exit Color");
            }
        }
    }

    [On] void OnPing(in Ping p) => Trace.Add("ping");
}
