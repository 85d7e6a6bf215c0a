namespace Hsm.Generators.Tests;

/// <summary>Machines compiled in memory with the generator, loaded and run: the generated code compiles without warnings
/// in unusual declarations and behaves as written.</summary>
public class CompileAndRunTests
{
    [Fact]
    public void DoorRuns()
    {
        var assembly = GeneratorHarness.CompileAndLoad(Sources.Door, """
            namespace Demo;
            public static class Program
            {
                public static string Run()
                {
                    var d = new Door();
                    d.Start();
                    d.Dispatch(new Open());
                    d.Dispatch(new Close());
                    d.Dispatch(new Open());
                    return $"{d.CurrentState.Name} {d.Openings}";
                }
            }
            """);
        Assert.Equal("Opened 2", GeneratorHarness.Run(assembly, "Demo.Program"));
    }

    [Fact]
    public void OrthogonalWithHistoryDeferralAndCompletionRuns()
    {
        var assembly = GeneratorHarness.CompileAndLoad(Sources.Orthogonal, """
            using System.Linq;
            namespace Demo.Nested;
            public static class Program
            {
                public static string Run()
                {
                    var p = new Outer.Player();
                    p.Start();
                    p.Dispatch(new Tick());                       // deferred by Idle
                    p.Dispatch(new Go());                         // Running: both regions enter, then the recalled Tick finishes both
                    return string.Join(",", p.ActiveStates.Select(s => s.Path)) + " " + p.IsTerminated;
                }
            }
            """);
        Assert.Equal("Finished True", GeneratorHarness.Run(assembly, "Demo.Nested.Program"));
    }

    [Fact]
    public void UnusualDeclarationsCompileAndRun()
    {
        var assembly = GeneratorHarness.CompileAndLoad("""
            using System.Collections.Generic;
            using Hsm;

            public readonly record struct Flip;
            public sealed record Note(string Text);

            public partial class Host
            {
                [StateMachine]
                private partial class Machine
                {
                    public List<string> Log { get; } = new();
                    public string Note = "";

                    // The machine's own handler catches what no state handles.
                    [On] void OnNote(in Note n) => Note = n.Text;

                    public abstract class Logged : State<Machine>
                    {
                        protected void Say(string s) => Machine.Log.Add(s);
                    }

                    [Initial, Transition<Flip, Right>]
                    private partial class Left : Logged
                    {
                        [Entry] void In() => Say("Left");

                        [Initial, Transition<Flip, Idle>] internal partial class Idle;
                    }

                    [Transition<Flip, Left>]
                    private partial class Right : Logged
                    {
                        [Entry] void In() => Say("Right");

                        [Initial] internal partial class Idle;
                    }

                    public static string Run()
                    {
                        var m = new Machine();
                        m.Start();
                        m.Dispatch(new Flip());   // Left.Idle's own self-transition wins over Left's
                        m.Dispatch(new Note("n"));
                        m.Send(new Flip());
                        return string.Join(",", m.Log) + " " + m.CurrentState.Path + " " + m.Note + " " + (m.Left_IdleState != null);
                    }
                }

                public static string Run() => Machine.Run();
            }

            public static class Program
            {
                public static string Run() => Host.Run();
            }
            """);
        Assert.Equal("Left Left.Idle n True", GeneratorHarness.Run(assembly, "Program"));
    }
}
