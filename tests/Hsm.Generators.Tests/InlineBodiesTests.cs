namespace Hsm.Generators.Tests;

/// <summary>Trivial bodies run in place of the call (docs/adr/0008): each body below is compiled twice into one machine, once
/// as the action of an internal transition (which the generator writes into the step) and once as a method nobody
/// references (called directly on the state object). Dispatching an event and calling the method directly with the same
/// event must leave two machines in the same state, field for field; and the generated step must really hold the body
/// (or really keep the call, for the bodies that cannot be written exactly in the machine class).</summary>
public class InlineBodiesTests
{
    private const string Template = """
        using Hsm;
        namespace T;
        public struct Ev { public int N; public int Auto { get; set; } }
        public readonly record struct Rec(int Size);
        public enum Color { Red, Green }
        public struct Pair { public int A; public int B; }
        public readonly record struct Probe;
        public sealed class Ref { }
        public class Base { }
        public sealed class Derived : Base { }
        [StateMachine]
        public partial class M
        {
            public int Count;
            public long Big;
            public bool Flag;
            public double Ratio = 1;
            public float F = 2;
            public char Ch = 'a';
            public Color Color;
            public Pair Pair;
            public int Property { get; set; }
            public Rec Last = new(4);
            public int @event;
            public const int Limit = 10;
            public int Guarded;
            public Ref Target = new();
            public Ref? Candidate;
            public Base? Shape;
            public Derived Made = new();

            public string Snapshot() =>
                $"{Count} {Big} {Flag} {Ratio:R} {F:R} {(int)Ch} {Color} {Pair.A} {Pair.B} {Property} {@event} {Guarded} {SState.Local} {SState.Count} {SState.Hidden} {ReferenceEquals(Candidate, Target)} {Candidate is null} {ReferenceEquals(Shape, Made)}";

            [Initial, Internal<Ev>(Action = nameof(Subject)), Internal<Probe>(Guard = nameof(Check), Action = nameof(Hit))]
            public partial class S
            {
                public int Local;
                public int Count;
                private int _hidden = 1;
                public int Hidden => _hidden;
                private enum Mode { A, B }

                void Subject(PARAM) { BODY }
                public void Direct(PARAM) { BODY }
                bool Check() => GUARD;
                public void Hit() => Machine.Guarded++;
            }
        }

        """;

    private static string Source(string body, string param = "in Ev ev", string guard = "Machine.Count > 3") =>
        InlineDifferential.Source(Template, body, param, guard);

    [Theory]
    [InlineData("Machine.Count++;")]
    [InlineData("Machine.Count += 2; Machine.Big -= Machine.Count;")]
    [InlineData("Local = ev.N * 3 + M.Limit;")]
    [InlineData("if (Machine.Flag && ev.N > 0) Machine.Count = 0; else { Machine.Count = -Machine.Count + 1; } Machine.Flag = !Machine.Flag;")]
    [InlineData("var x = Machine.Count << 2; Machine.Big = x; Machine.Flag = x > 4;")]
    [InlineData("Machine.Ratio = Machine.Ratio / 3 + 0.1;")]
    [InlineData("Machine.F = 1.5f * Machine.F - 1e-3f;")]
    [InlineData("Machine.Color = Machine.Color == Color.Red ? Color.Green : Color.Red;")]
    [InlineData("Machine.Pair.A = ev.N; Machine.Pair.B++;")]
    [InlineData("Machine.Count = (int)Machine.Big + (int)Machine.Ratio;")]
    [InlineData("Machine.Big = long.MinValue + ev.N; Machine.Count = int.MinValue - ev.N;")] // wraps: unchecked, as written
    [InlineData("Machine.Ch = 'x'; Machine.Big = -1; Machine.Big >>>= 1; Machine.Count = ev.N >> 1;")]
    [InlineData("Machine.Property = ev.Auto + Machine.Last.Size;")]
    [InlineData("int @class = ev.N; Machine.@event = @class;")]
    [InlineData("Machine.Count = Machine.Count > 5 ? ev.N : -1; return;")]
    [InlineData("{ int y = 1; Machine.Count += y; } { int y = 2; Machine.Count *= y; }")]
    [InlineData("Count = Machine.Count + ev.N; Machine.Count = Count;")] // the state's Count and the machine's Count
    [InlineData("Machine.Count = (int)Machine.Color + (Machine.Flag ? 1 : 0) + (byte)ev.N + (short)(ev.N * 7);")]
    [InlineData("Machine.Big += 3000000000u; Machine.Big ^= 0x7FFF_FFFF_FFFFL;")]
    [InlineData("Machine.Ratio = ev.N; Machine.F = Machine.Big;")]
    [InlineData("Machine.Candidate = Machine.Target; Machine.Target = Machine.Candidate!; Machine.Shape = Machine.Made;")] // references, '!', an upcast
    [InlineData("Machine.Candidate = ev.N > 5 ? Machine.Target : null; Machine.Shape = null;")]
    public void ABodyRunInPlaceDoesWhatTheCallDoes(string body)
    {
        var source = Source(body);
        Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        var generated = GeneratorHarness.GeneratedText(source);
        Assert.Contains("unchecked {", generated);
        Assert.DoesNotContain("__Hsm_Subject(", InlineDifferential.Steps(generated));
    }

    [Theory]
    [InlineData("_hidden++; Machine.Count = _hidden;", "in Ev ev")] // a private member of the state: the machine class cannot reach it
    [InlineData("ev.N = 5; Machine.Count = ev.N;", "Ev ev")] // writes the parameter: the call had its own copy
    [InlineData("ev.Auto++; Machine.Count = ev.Auto;", "Ev ev")]
    [InlineData("if (ev.N > 0) return; Machine.Count++;", "in Ev ev")] // returns before the end
    [InlineData("Machine.Ratio = double.NaN;", "in Ev ev")] // no literal for NaN
    [InlineData("var m = Mode.B; Machine.Count = (int)m;", "in Ev ev")] // a private type of the state
    [InlineData("\n#pragma warning disable CS0219\n int unused = 1; Machine.Count++;\n#pragma warning restore CS0219\n", "in Ev ev")] // warns: the copy would too
    public void ABodyThatCannotBeWrittenInTheMachineIsCalled(string body, string param)
    {
        var source = Source(body, param);
        Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        Assert.Contains("__Hsm_Subject(e)", InlineDifferential.Steps(GeneratorHarness.GeneratedText(source)));
    }

    [Theory]
    [InlineData("Machine.Count > 3", true)]
    [InlineData("Machine.Flag || Machine.Count == 0", true)]
    [InlineData("!(Machine.Ratio < 0.5) && Machine.Color != Color.Green", true)]
    [InlineData("Machine.Count > Machine.Guarded", true)]
    public void AGuardRunsInPlaceAsAnExpression(string guard, bool inPlace)
    {
        var source = Source("Machine.Count++;", guard: guard);
        Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        var steps = InlineDifferential.Steps(GeneratorHarness.GeneratedText(source));
        Assert.Equal(!inPlace, steps.Contains("__Hsm_Check("));
        Assert.Equal(inPlace, steps.Contains("= unchecked("));
    }

    [Fact]
    public void AGuardWithStatementsBeforeItsReturnIsCalled()
    {
        var source = Source("Machine.Count++;").Replace("bool Check() => Machine.Count > 3;", "bool Check() { var c = Machine.Count; return c > 3; }");
        Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        Assert.Contains("__Hsm_Check()", InlineDifferential.Steps(GeneratorHarness.GeneratedText(source)));
    }

    [Fact]
    public void EntryAndExitBodiesRunInPlace()
    {
        const string source = """
            using Hsm;
            namespace T;
            public readonly record struct Go;
            [StateMachine]
            public partial class Lamp
            {
                public int Entered;
                public int Exited;
                [Initial, Transition<Go, B>] public partial class A { [Exit] void Out() => Machine.Exited += 10; }
                [Transition<Go, A>] public partial class B { [Entry] void In() { Machine.Entered++; } }
            }
            public static class Program
            {
                public static string Run()
                {
                    var l = new Lamp();
                    l.Start();
                    l.Dispatch(new Go());
                    l.Dispatch(new Go());
                    l.Dispatch(new Go());
                    return $"{l.Entered} {l.Exited} {l.CurrentState.Name}";
                }
            }
            """;
        Assert.Equal("2 20 B", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        var generated = GeneratorHarness.GeneratedText(source);
        Assert.Contains("unchecked { this.Exited += ((int)(10)); }", generated);
        Assert.Contains("unchecked { this.Entered++; }", generated);
        Assert.DoesNotContain("__Hsm_Out()", InlineDifferential.Steps(generated));
        Assert.DoesNotContain("__Hsm_In()", InlineDifferential.Steps(generated));
    }

    [Fact]
    public void TheMachinesOwnMethodRunsInPlaceOnTheMachine()
    {
        const string source = """
            using Hsm;
            namespace T;
            public readonly record struct Tick(int By);
            [StateMachine]
            public partial class Meter
            {
                public int Total;
                void Add(in Tick t) => Total += t.By;
                bool Small(in Tick t) => t.By < 100;
                [Initial, Internal<Tick>(Guard = nameof(Small), Action = nameof(Add))] public partial class On;
            }
            public static class Program
            {
                public static string Run()
                {
                    var m = new Meter();
                    m.Start();
                    m.Dispatch(new Tick(5));
                    m.Dispatch(new Tick(500));
                    m.Dispatch(new Tick(7));
                    return m.Total.ToString();
                }
            }
            """;
        Assert.Equal("12", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        var generated = GeneratorHarness.GeneratedText(source);
        Assert.Contains("unchecked { this.Total += e.By; }", generated);
        Assert.Contains("= unchecked(e.By < ((int)(100)));", generated);
    }

    [Fact]
    public void InPlaceBodiesCanBeTurnedOffForAMachineOrAMethod()
    {
        var inlined = Source("Machine.Count++;");
        var machineOff = inlined.Replace("[StateMachine]", "[StateMachine(InlineTrivialBodies = false)]");
        var methodOff = inlined.Replace("void Subject(in Ev ev)", "[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] void Subject(in Ev ev)");
        foreach (var source in new[] { machineOff, methodOff })
        {
            Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
            Assert.Contains("__Hsm_Subject(e)", InlineDifferential.Steps(GeneratorHarness.GeneratedText(source)));
        }

        // Turned off for the machine, the guard is called too; turned off for Subject only, the guard still runs in place.
        Assert.Contains("__Hsm_Check()", InlineDifferential.Steps(GeneratorHarness.GeneratedText(machineOff)));
        Assert.DoesNotContain("__Hsm_Check()", InlineDifferential.Steps(GeneratorHarness.GeneratedText(methodOff)));
    }

}
