namespace Hsm.Generators.Tests;

/// <summary>Machines used by the snapshot, incremental and compile-and-run tests.</summary>
internal static class Sources
{
    public const string Door = """
        using Hsm;
        namespace Demo;

        public readonly record struct Open;
        public readonly record struct Close;

        [StateMachine]
        public partial class Door
        {
            public int Openings;

            [Initial, Transition<Open, Opened>(Action = nameof(Count))]
            public partial class Closed
            {
                void Count() => Machine.Openings++;
            }

            [Transition<Close, Closed>]
            public partial class Opened;
        }
        """;

    public const string Hierarchy = """
        using System.Collections.Generic;
        using Hsm;
        namespace Demo;

        public readonly record struct Next;
        public readonly record struct Up(int Level);
        public readonly record struct Reset;

        [StateMachine(QueueCapacity = 8)]
        public partial class Hierarchy
        {
            public List<string> Log { get; } = new();

            [On] void OnReset(in Reset e) => Log.Add("reset");

            [Initial, Internal<Reset>(Action = nameof(Clear))]
            public partial class Outer
            {
                [Entry] void In() => Machine.Log.Add("enter Outer");
                [Exit] void Out() => Machine.Log.Add("exit Outer");
                void Clear() => Machine.Log.Clear();

                [Initial, Transition<Next, Right>(Guard = nameof(Ready))]
                public partial class Left
                {
                    bool Ready(in Next e) => true;
                    [On] EventResult OnUp(in Up e) => e.Level > 1 ? Goto<Outer>() : GotoLocal<Outer>();
                }

                [Transition<Next, Left>(Kind = TransitionKind.Local)]
                public partial class Right;
            }
        }
        """;

    public const string Orthogonal = """
        using Hsm;
        namespace Demo.Nested;

        public readonly record struct Go;
        public readonly record struct Tick;
        public readonly record struct Stop;

        public static partial class Outer
        {
            [StateMachine(DeferredCapacity = 4)]
            internal partial class Player
            {
                [Initial, Transition<Go, ShallowHistory<Running>>, Defer<Tick>]
                public partial class Idle;

                [Transition<Stop, Idle>, Transition<Completion, Finished>]
                public partial class Running
                {
                    [Region]
                    public partial class Audio
                    {
                        [Initial, Transition<Tick, Done>]
                        public partial class Playing;

                        [Final]
                        public partial class Done;
                    }

                    [Region]
                    public partial class Video
                    {
                        [Initial, Transition<Tick, Done>]
                        public partial class Rendering;

                        [Final]
                        public partial class Done;
                    }
                }

                [Final]
                public partial class Finished;
            }
        }
        """;

    public const string Choice = """
        using Hsm;

        public readonly record struct Score(int Points);

        [StateMachine]
        public partial class Judge
        {
            public int Points;

            [Initial, Transition<Score, Decide>(Action = nameof(Keep))]
            public partial class Waiting
            {
                void Keep(in Score e) => Machine.Points = e.Points;
            }

            [Choice, Branch<Pass>(Guard = nameof(High)), Else<Fail>]
            public partial class Decide
            {
                bool High() => Machine.Points > 50;
            }

            [HistoryDefault<Pass.Gold>, Transition<Score, DeepHistory<Pass>>]
            public partial class Pass
            {
                [Initial] public partial class Silver;
                public partial class Gold;
            }

            [Transition<Score, Waiting>]
            public partial class Fail;
        }
        """;
}
