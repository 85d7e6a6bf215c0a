namespace Hsm.Generators.Tests;

/// <summary>Review of trivial bodies run in place (docs/adr/0008): differential tests (the body as an action run in place vs
/// the same body called directly) for cases the first test set does not cover.</summary>
public class InlineBodiesReviewTests
{
    private const string Template = """
        using Hsm;
        namespace T;
        public struct Ev { public int N; public int Auto { get; set; } }
        public enum Color { Red, Green, Blue }
        public enum Wide : long { Min = long.MinValue, Minus = -1, Max = long.MaxValue }
        public enum Huge : ulong { Top = ulong.MaxValue }
        public enum Small : sbyte { Neg = -128, Pos = 127 }
        public struct Pair { public int A; public int B; }
        public struct Nest { public Pair Inner; public int C; }
        public readonly struct Frozen { public readonly int X; public Frozen(int x) { X = x; } }
        public readonly record struct Probe;
        public sealed class Ref { }
        [StateMachine]
        public partial class M
        {
            public int Count;
            public long Big;
            public bool Flag;
            public double Ratio = 1;
            public float F = 2;
            public char Ch = 'a';
            public char Ch2 = 'b';
            public byte B = 200;
            public byte B2 = 100;
            public sbyte SB = -5;
            public short Sh = 30000;
            public ushort US = 65000;
            public uint U = 7;
            public ulong UL = 9;
            public Color Color;
            public Wide Wide;
            public Huge Huge;
            public Small Small;
            public Pair Pair;
            public Nest Nest;
            public Frozen Frozen = new(3);
            public Ref Target = new();
            public Ref? Candidate;

            public string Snapshot() =>
                $"{Count} {Big} {Flag} {Ratio:R} {F:R} {1 / Ratio} {1 / F} {(int)Ch} {(int)Ch2} {B} {B2} {SB} {Sh} {US} {U} {UL} {Color} {Wide} {Huge} {Small} {Pair.A} {Pair.B} {Nest.Inner.A} {Nest.Inner.B} {Nest.C} {SState.Local} {ReferenceEquals(Candidate, Target)}";

            [Initial, Internal<Ev>(Action = nameof(Subject)), Internal<Probe>(Guard = nameof(Check), Action = nameof(Hit))]
            public partial class S
            {
                public int Local;

                void Subject(PARAM) { BODY }
                public void Direct(PARAM) { BODY }
                bool Check() => GUARD;
                public void Hit() => Machine.Count += 1000;
            }
        }

        """;

    private static string Source(string body, string param = "in Ev ev", string guard = "Machine.Count > 3") =>
        InlineDifferential.Source(Template, body, param, guard);

    /// <summary>Compiles, runs, and checks that the body was really written in place.</summary>
    private static void Same(string source, bool inPlace = true)
    {
        var generated = GeneratorHarness.GeneratedText(source);
        Assert.StartsWith("same ", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        Assert.Equal(!inPlace, InlineDifferential.Steps(generated).Contains("__Hsm_Subject("));
    }

    // ---- Regression tests: cases the first test set does not cover, which behave as the call does. ----

    [Theory]
    [InlineData("Machine.Ratio = -0.0; Machine.F = -0f;")] // negative zero survives (1 / x is -Infinity in the snapshot)
    [InlineData("Machine.Ratio = double.Epsilon; Machine.F = float.Epsilon;")]
    [InlineData("Machine.Ratio = double.MaxValue; Machine.F = float.MinValue;")]
    [InlineData("Machine.Ratio = 0.1f; Machine.F = (float)0.1;")]
    [InlineData("Machine.Wide = Wide.Min; Machine.Huge = Huge.Top; Machine.Small = Small.Neg;")]
    [InlineData("Machine.Wide = ev.N > 5 ? Wide.Minus : Wide.Max;")]
    [InlineData("Machine.Small = default(Small);")]
    [InlineData("Machine.UL = ulong.MaxValue; Machine.Big = long.MinValue; Machine.U = uint.MaxValue;")]
    [InlineData("Machine.Ch = '\\0'; Machine.Ch2 = '\\uFFFF';")]
    [InlineData("Machine.Ch = '\\''; Machine.Ch2 = '\\\\';")]
    [InlineData("Machine.B <<= 3; Machine.Sh >>= ev.N; Machine.US >>>= 2;")]
    [InlineData("Machine.Big = Machine.Count += 5;")]
    [InlineData("Machine.B2 = Machine.B += 1;")]
    [InlineData("Machine.Count = (int)(Machine.Big = ev.N) + ((Machine.Flag = ev.N > 0) ? 1 : 0);")]
    [InlineData("Machine.Count = Machine.Count++ + ++Machine.Count * Machine.Count--;")]
    [InlineData("Machine.Nest.Inner.A = ev.N; Machine.Nest.Inner.B += Machine.Nest.Inner.A; Machine.Nest.C = Machine.Frozen.X;")]
    [InlineData("var n = Machine.Nest; n.Inner.A = 42; Machine.Nest = n;")]
    [InlineData("int x; if (ev.N > 0) x = 1; else x = 2; Machine.Count = x;")]
    [InlineData("if (ev.N > 0) if (ev.N > 5) Machine.Count = 1; else Machine.Count = 2;")] // the else stays with the inner if
    [InlineData("if (ev.N > 0) { if (ev.N > 5) Machine.Count = 1; } else Machine.Count = 2;")]
    [InlineData("Machine.Color++; Machine.Color += 1; Machine.Color = Machine.Color + Machine.B; Machine.Count = Machine.Color - Color.Red;")]
    [InlineData("Machine.Color = (Color)ev.N; Machine.Color |= Color.Blue; Machine.Color &= ~Color.Green; Machine.Color -= Color.Green;")]
    [InlineData("Machine.Big = Machine.Count << (int)Machine.Big; Machine.Big = 1L << 65; Machine.Count = -ev.N >>> 3;")]
    [InlineData("Machine.Flag &= ev.N > 0; Machine.Flag ^= true; Machine.Flag |= Machine.Count > 0 && !Machine.Flag;")]
    [InlineData("Machine.Count = Machine.B2 + Machine.Ch + Machine.SB * Machine.Sh - Machine.US;")]
    [InlineData("Machine.U = (uint)-ev.N; Machine.UL = (ulong)ev.N; Machine.Big = -Machine.U; Machine.Count = ~Machine.B;")]
    [InlineData("Machine.Candidate = Machine.Candidate = Machine.Target;")]
    [InlineData("Machine.Ratio = Machine.F / 3f; Machine.F = (float)(Machine.Ratio * 1e300);")]
    [InlineData("Machine.Count = ev.N > 2 ? ev.N : (int)(Machine.Ratio / 0.0 > 0 ? 1 : 2);")]
    public void ABodyRunsInPlaceAsTheCallDoes(string body) => Same(Source(body));

    [Theory]
    [InlineData("choice", "10 13124 A 2")] // a choice's guard (with a side effect on the choice's own field), branch actions, entry, exit
    [InlineData("nested", "113 4 111 115 7")] // a machine nested in a class (its private types), a method found on the enclosing state, same-named members
    [InlineData("thisref", "True True")] // the state object and the machine as values
    [InlineData("nullableOff", "False False")] // a #nullable disable file: the copy lands in a #nullable enable file
    public void AMachineRunsInPlaceAsItsCallsDo(string name, string expected)
    {
        var source = Machines[name];
        Assert.Equal(expected, GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program"));
        Assert.Contains("unchecked {", GeneratorHarness.GeneratedText(source));
        var off = source.Replace("[StateMachine]", "[StateMachine(InlineTrivialBodies = false)]");
        Assert.Equal(expected, GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(off), "T.Program"));
    }

    // ---- Regressions: each test below failed before the fix named in its summary (found in review). ----

    /// <summary>Was a bug: a compound assignment to a byte, sbyte, short, ushort or char is printed with its right operand's implicit
    /// conversion made explicit (<c>this.B += ((int)this.B2)</c>, <c>this.Ch += ((int)(97))</c>). C# accepts <c>x op= y</c> on a
    /// narrow <c>x</c> only when <c>y</c> converts implicitly to <c>x</c>'s type; an <c>int</c> does not: the generated file does
    /// not compile (CS0266). Fix in InlineBodies.Value, ICompoundAssignmentOperation: print the operand of an implicit
    /// conversion of <c>compound.Value</c> (before constant folding), not the converted value.</summary>
    [Theory]
    [InlineData("Machine.B += Machine.B2;")]
    [InlineData("Machine.Sh -= Machine.B;")]
    [InlineData("Machine.Ch += 'a';")]
    [InlineData("Machine.Ch += Machine.Ch2;")]
    [InlineData("Machine.US |= Machine.B;")]
    [InlineData("Machine.SB += Machine.SB;")]
    public void ACompoundAssignmentToANarrowTypeCompiles(string body) => Same(Source(body));

    /// <summary>Was a bug: a <c>const</c> local is printed as a plain local (<c>int __u_k = ((int)(3));</c>) while its uses are folded to
    /// literals, so the copy never reads it: CS0219 (assigned but never used) in the generated file, which fails a build with
    /// warnings as errors. Fix in InlineBodies.Statement: skip declarators whose symbol <c>IsConst</c> (or print them <c>const</c>).</summary>
    [Theory]
    [InlineData("const int k = 3; Machine.Count += k;")]
    [InlineData("const int a = 1; const int b = a + 1; Machine.Count = b;")]
    public void AConstLocalDoesNotWarn(string body) => Same(Source(body));

    /// <summary>Was a bug: <c>base.Count</c> is an IInstanceReferenceOperation like <c>this</c> and is printed as the receiver
    /// (<c>this.Count</c> / <c>__s_S.Count</c>), which names the derived class's <c>new</c> member, not the hidden base member the
    /// method wrote: the inlined body silently writes another field (machine: "0 5" instead of "5 0"; state: "55 0 5" instead
    /// of "50 5 0"). Fix in InlineBodies.Value: when the instance reference's type is not the receiver's type (a <c>base</c>
    /// access), print it cast, <c>((global::T.MBase)\u0001)</c>, or Fail.</summary>
    [Theory]
    [InlineData("baseMachine", "5 0")]
    [InlineData("baseState", "50 5 0")]
    public void ABaseAccessReachesTheHiddenMember(string name, string expected)
    {
        var source = Machines[name];
        var off = source.Replace("[StateMachine]", "[StateMachine(InlineTrivialBodies = false)]");
        Assert.Equal(expected, GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(off), "T.Program")); // the call
        Assert.Equal(expected, GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program")); // in place
    }

    /// <summary>Was a bug: MachineOf stops at the first containing type that is not a state, which for a state inside a
    /// <c>[Region]</c> class is the region class, not the machine. Accessibility is then checked from the region, where its
    /// private nested types (and the orthogonal state's) are visible, but the copy lands in the machine: CS0122. Fix in
    /// InlineBodies.MachineOf: walk up to the [StateMachine] class (or pass the parser's machine symbol to Write).</summary>
    [Fact]
    public void APrivateTypeOfARegionClassStaysACall()
    {
        Assert.Equal("1", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(Machines["region"]), "T.Program"));
    }

    /// <summary>Was a bug: a <c>[Conditional("SYMBOL")]</c> method's call is removed by the compiler when SYMBOL is not defined (the
    /// trampoline's call in the generated file is compiled away), so the action, entry or exit does nothing; run in place, its
    /// body runs anyway ("1 1" instead of "0 0"). Fix in MachineParser.InlineOf or TrivialBodies: do not inline a method with
    /// <c>GetAppliedConditionalSymbols()</c> non-empty.</summary>
    [Fact]
    public void AConditionalMethodThatIsCompiledAwayStaysAway()
    {
        var source = Machines["conditional"];
        var off = source.Replace("[StateMachine]", "[StateMachine(InlineTrivialBodies = false)]");
        Assert.Equal("0 0", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(off), "T.Program")); // the call
        Assert.Equal("0 0", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(source), "T.Program")); // in place
    }

    /// <summary>Was a bug: a <c>file</c>-local type of the user's file passes the accessibility check but does not exist in the
    /// generated file: <c>global::T.Mode __u_m</c> does not compile (CS0234). Fix in InlineBodies.Type: Fail for a type that is,
    /// or contains (containing types, type arguments, element types), a file-local type (<c>INamedTypeSymbol.IsFileLocal</c>).</summary>
    [Fact]
    public void AFileLocalTypeStaysInItsFile()
    {
        Assert.Equal("1", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(Machines["fileLocal"]), "T.Program"));
    }

    /// <summary>Was a bug: a local's type is printed without nested nullable annotations (<c>(global::T.Ref, int)</c> for
    /// <c>(Ref?, int)</c>, <c>Holder&lt;global::T.Ref&gt;</c> for <c>Holder&lt;Ref?&gt;</c>); the values are structs, so no
    /// <c>!</c> is added, and the generated (nullable-enabled) file warns CS8619 where the user's code did not. Fix in
    /// InlineBodies.Type: display with <c>SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier</c> (the
    /// symbol's annotations, when the user's context is enabled), or Fail when a type argument / tuple element is annotated.</summary>
    [Fact]
    public void ALocalKeepsTheNullabilityOfItsTypeArguments()
    {
        Assert.Equal("False", GeneratorHarness.Run(GeneratorHarness.CompileAndLoad(Machines["tuple"]), "T.Program"));
    }

    /// <summary>The <c>Program</c> of a one-event machine test: start an <c>M</c>, dispatch one <c>Go</c>, return
    /// <paramref name="result"/> (an interpolated string over <c>m</c>).</summary>
    private static string RunsOnce(string result) =>
        "public static class Program { public static string Run() { var m = new M(); m.Start(); m.Dispatch(new Go()); return $\"" + result + "\"; } }";

    private static readonly Dictionary<string, string> Machines = new()
    {
        ["choice"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go(int N);
        [StateMachine]
        public partial class M
        {
            public int Count;
            public int Log;
            [Initial, Transition<Go, C>(Action = nameof(Set))]
            public partial class A { void Set(in Go g) => Machine.Count = g.N; [Exit] void Out() { Machine.Log = Machine.Log * 10 + 1; } }
            [Choice, Branch<B>(Guard = nameof(Big), Action = nameof(Mark)), Else<A>(Action = nameof(Other))]
            public partial class C
            {
                public int Visits;
                bool Big() => ++Visits > 1 && Machine.Count > 5;
                void Mark() { Machine.Log = Machine.Log * 10 + 2; }
                void Other() => Machine.Log = Machine.Log * 10 + 3;
            }
            [Transition<Go, A>] public partial class B { [Entry] void In() { Machine.Log = Machine.Log * 10 + 4; } }
        }
        public static class Program
        {
            public static string Run()
            {
                var m = new M();
                m.Start();
                m.Dispatch(new Go(10));
                m.Dispatch(new Go(10));
                m.Dispatch(new Go(10));
                return $"{m.Count} {m.Log} {m.CurrentState.Name} {m.CState.Visits}";
            }
        }
        """,
        ["nested"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go(int N);
        public partial class Outer
        {
            private enum Secret { A = 3, B = 4 }
            private struct Box { public int V; }
            [StateMachine]
            public partial class M
            {
                public int Count;
                public int Value;
                private int _priv = 2;
                [Initial]
                public partial class P
                {
                    public int Count = 100;
                    public int Value;
                    void Shared(in Go g) { Count += g.N; Value = Machine.Value + Count; Machine.Count = Count + Machine._priv; Box b; b.V = (int)Secret.B; Machine.Value = b.V; }
                    [Initial, Internal<Go>(Action = nameof(Shared))]
                    public partial class Q
                    {
                        public int Count = 7;
                        [Initial, Transition<Go, Q>(Guard = nameof(Never))]
                        public partial class R { }
                    }
                    bool Never(Go g) => g.N < 0 && Count > 0;
                }
            }
            public static string Run()
            {
                var m = new M();
                m.Start();
                m.Dispatch(new Go(5));
                m.Dispatch(new Go(6));
                return $"{m.Count} {m.Value} {m.PState.Count} {m.PState.Value} {m.QState.Count}";
            }
        }
        public static class Program { public static string Run() => Outer.Run(); }
        """,
        ["thisref"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        [StateMachine]
        public partial class M
        {
            public object? Last;
            public M? Self;
            public State<M>? Where;
            [Initial, Internal<Go>(Action = nameof(Act))]
            public partial class S { void Act() { Machine.Where = this; Machine.Self = Machine; Machine.Self = Machine.Self = Machine; } }
        }
        """ + RunsOnce("{ReferenceEquals(m.Where, m.SState)} {ReferenceEquals(m.Self, m)}"),
        ["nullableOff"] = """
        #nullable disable
        using Hsm;
        namespace T;
        public readonly record struct Go(int N);
        public sealed class Ref { }
        [StateMachine]
        public partial class M
        {
            public Ref Target = new Ref();
            public Ref Other;
            [Initial, Internal<Go>(Action = nameof(Act))]
            public partial class S { void Act(in Go g) { Ref r = null; if (g.N > 0) r = Machine.Target; Machine.Other = r; Machine.Target = g.N > 5 ? null : Machine.Target; } }
        }
        public static class Program
        {
            public static string Run()
            {
                var m = new M();
                m.Start();
                m.Dispatch(new Go(1));
                return $"{m.Other is null} {m.Target is null}";
            }
        }
        """,
        ["baseMachine"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        public class MBase { public int Count; }
        [StateMachine]
        public partial class M : MBase
        {
            public new int Count;
            void Act() => base.Count += 5;
            [Initial, Internal<Go>(Action = nameof(Act))] public partial class S;
        }
        """ + RunsOnce("{((MBase)m).Count} {m.Count}"),
        ["baseState"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        public abstract class SBase : State<M> { public int Count; }
        [StateMachine]
        public partial class M
        {
            public int Seen;
            [Initial, Internal<Go>(Action = nameof(Act))]
            public partial class S : SBase
            {
                public new int Count;
                void Act() { base.Count += 5; Machine.Seen = base.Count * 10 + Count; }
            }
        }
        """ + RunsOnce("{m.Seen} {((SBase)m.SState).Count} {m.SState.Count}"),
        ["region"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        [StateMachine]
        public partial class M
        {
            public int Count;
            [Initial]
            public partial class O
            {
                [Region]
                public partial class R
                {
                    private enum Mode { A, B }
                    [Initial, Internal<Go>(Action = nameof(Act))]
                    public partial class X
                    {
                        void Act() { var m = Mode.B; Machine.Count += (int)m; }
                    }
                }
                [Region]
                public partial class R2
                {
                    [Initial] public partial class Y;
                }
            }
        }
        """ + RunsOnce("{m.Count}"),
        ["conditional"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        [StateMachine]
        public partial class M
        {
            public int Count;
            public int Entered;
            [Initial, Internal<Go>(Action = nameof(Trace))]
            public partial class S
            {
                [System.Diagnostics.Conditional("NEVER_DEFINED")] void Trace() => Machine.Count++;
                [Entry, System.Diagnostics.Conditional("NEVER_DEFINED")] void In() { Machine.Entered++; }
            }
        }
        """ + RunsOnce("{m.Count} {m.Entered}"),
        ["fileLocal"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        file enum Mode { A, B }
        [StateMachine]
        public partial class M
        {
            public int Count;
            [Initial, Internal<Go>(Action = nameof(Act))]
            public partial class S { void Act() { var m = Mode.B; Machine.Count += (int)m; } }
        }
        """ + RunsOnce("{m.Count}"),
        ["tuple"] = """
        using Hsm;
        namespace T;
        public readonly record struct Go;
        public sealed class Ref { }
        public struct Holder<TX> { public TX Item; }
        [StateMachine]
        public partial class M
        {
            public (Ref?, int) Tup;
            public Holder<Ref?> Hold;
            public Ref Target = new();
            [Initial, Internal<Go>(Action = nameof(Act))]
            public partial class S { void Act() { (Ref?, int) t = Machine.Tup; t.Item1 = Machine.Target; Machine.Tup = t; var h = Machine.Hold; Machine.Hold = h; } }
        }
        """ + RunsOnce("{m.Tup.Item1 is null}"),
    };

}
