using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Run;
public readonly record struct StepDone;
public readonly record struct FinishA;
public readonly record struct FinishB;
public readonly record struct Poll;

/// <summary>
/// Completion transitions and final states.
/// <code>
/// Idle (initial)  Run → Prepare
/// Prepare         completion → Work             (a simple state completes as soon as its entry is done)
/// Work            completion → Both             (a composite completes when its final state is entered)
/// ├── Step (initial) StepDone → Finished
/// └── Finished [Final]
/// Both            completion → End              (an orthogonal state completes when every region is in its final state)
/// ║ A: A1 (initial) FinishA → AEnd [Final]
/// ║ B: B1 (initial) completion [AllowB] → BEnd [Final]
/// ║    └── B11 (initial) FinishB → B1Done [Final]   (final inside B1: region B is not complete yet)
/// End [Final]                                      (the machine terminates)
/// </code>
/// The machine itself logs every Poll, to show that a terminated machine ignores events.
/// </summary>
[StateMachine]
public partial class Pipeline
{
    public List<string> Log { get; } = [];
    public bool AllowB = true;

    void Enter(string name) => Log.Add("enter " + name);

    [On] void OnPoll(in Poll e) => Log.Add("poll");

    [Initial, Transition<Run, Prepare>]
    public partial class Idle;

    [Transition<Completion, Work>(Action = nameof(Prepared))]
    public partial class Prepare
    {
        [Entry] void In() => Machine.Enter("Prepare");
        void Prepared() => Machine.Log.Add("act prepared");
    }

    [Transition<Completion, Both>]
    public partial class Work
    {
        [Entry] void In() => Machine.Enter("Work");
        [Exit] void Out() => Machine.Log.Add("exit Work");

        [Initial, Transition<StepDone, Finished>]
        public partial class Step
        {
            [Entry] void In() => Machine.Enter("Step");
        }

        [Final]
        public partial class Finished
        {
            [Entry] void In() => Machine.Enter("Finished");
        }
    }

    [Transition<Completion, End>]
    public partial class Both
    {
        [Entry] void In() => Machine.Enter("Both");
        [Exit] void Out() => Machine.Log.Add("exit Both");

        [Region]
        public partial class A
        {
            [Initial, Transition<FinishA, AEnd>]
            public partial class A1;

            [Final]
            public partial class AEnd
            {
                [Entry] void In() => Machine.Enter("AEnd");
            }
        }

        [Region]
        public partial class B
        {
            [Initial, Transition<Completion, BEnd>(Guard = nameof(CanEnd))]
            public partial class B1
            {
                bool CanEnd() => Machine.AllowB;

                [Initial, Transition<FinishB, B1Done>]
                public partial class B11;

                [Final]
                public partial class B1Done
                {
                    [Entry] void In() => Machine.Enter("B1Done");
                }
            }

            [Final]
            public partial class BEnd
            {
                [Entry] void In() => Machine.Enter("BEnd");
            }
        }
    }

    [Final]
    public partial class End
    {
        [Entry] void In() => Machine.Enter("End");
    }
}
