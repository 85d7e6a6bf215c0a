using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Grade(int Score);
public readonly record struct Reset;

/// <summary>A choice whose guards read what the transition's exit and action wrote: they run after both.</summary>
[StateMachine]
public partial class Grader
{
    public List<string> Log { get; } = [];
    public int Score;
    public int Attempts;

    [Initial, Transition<Grade, Decide>(Action = nameof(Record))]
    public partial class Waiting
    {
        [Exit] void Out() { Machine.Log.Add("exit Waiting"); Machine.Attempts++; }
        void Record(in Grade e) { Machine.Log.Add("act record"); Machine.Score = e.Score; }
    }

    [Choice]
    [Branch<Pass>(Guard = nameof(High), Action = nameof(Congratulate))]
    [Branch<Retry>(Guard = nameof(FirstAttempt))]
    [Else<Fail>(Action = nameof(Console))]
    public partial class Decide
    {
        bool High() { Machine.Log.Add("guard High"); return Machine.Score >= 50; }
        bool FirstAttempt() { Machine.Log.Add("guard FirstAttempt"); return Machine.Attempts == 1; }
        void Congratulate() => Machine.Log.Add("act congratulate");
        void Console() => Machine.Log.Add("act console");
    }

    [Transition<Reset, Waiting>]
    public partial class Pass
    {
        [Entry] void In() => Machine.Log.Add("enter Pass");
    }

    [Transition<Grade, Decide>(Action = nameof(Record))]
    public partial class Retry
    {
        [Entry] void In() => Machine.Log.Add("enter Retry");
        void Record(in Grade e) { Machine.Log.Add("act record"); Machine.Score = e.Score; Machine.Attempts++; }
    }

    [Transition<Reset, Waiting>]
    public partial class Fail
    {
        [Entry] void In() => Machine.Log.Add("enter Fail");
    }
}
