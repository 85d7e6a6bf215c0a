namespace Hsm.Generators.Tests;

/// <summary>Which user method bodies the generator treats as trivial (cannot throw, cannot call anything), and so may run
/// without the guarded run's bookkeeping (ADR 0007). Every "not trivial" row is a way code could throw or re-enter.</summary>
public class TrivialBodiesTests
{
    private const string Template = """
        using Hsm;
        namespace T;
        public struct Ev { public int N; public int Auto { get; set; } }
        public readonly record struct Rec(int Size);
        public abstract class Base { public virtual int Virt { get; set; } }
        public sealed class Ref { public int N; }
        public enum Color { Red, Green }
        public struct Pair { public int A; public int B; }
        [StateMachine]
        public partial class M
        {
            public int Count;
            public long Big;
            public bool Flag;
            public double Ratio;
            public decimal Money;
            public Color Color;
            public Pair Pair;
            public Ref? Other;
            public int[] Items = new int[4];
            public static int Shared;
            public const int Limit = 10;
            public int Property { get; set; }
            public int Computed { get => Count * 2; set => Count = value / 2; }
            public long Stamp { get; init; }
            public Rec Last;
            public Base? Other2;
            public void Helper() { }

            [Initial, Internal<Ev>(Action = nameof(Subject))]
            public partial class S
            {
                private int _local;
                void Subject(in Ev e) { BODY }
            }
        }
        """;

    [Theory]
    [InlineData("Machine.Count++;")]
    [InlineData("Machine.Count += 2; Machine.Big -= Machine.Count;")]
    [InlineData("_local = e.N * 3 + M.Limit;")]
    [InlineData("if (Machine.Flag && e.N > 0) Machine.Count = 0; else { Machine.Count = -Machine.Count; }")]
    [InlineData("var x = Machine.Count << 2; Machine.Big = x; Machine.Flag = !Machine.Flag;")]
    [InlineData("Machine.Ratio = Machine.Ratio / 3;")]
    [InlineData("Machine.Color = Machine.Color == Color.Red ? Color.Green : Color.Red;")]
    [InlineData("Machine.Pair.A = e.N; Machine.Pair.B++;")]
    [InlineData("Machine.Count = (int)Machine.Big;")]
    [InlineData("Machine.Count = (int)Machine.Ratio;")]
    [InlineData("Machine.Other = null;")]
    [InlineData("return;")]
    [InlineData("Machine.Property++;")] // auto-properties: the compiler writes their accessors
    [InlineData("Machine.Property = e.Auto + Machine.Last.Size;")] // a struct's auto-property, a positional record's
    [InlineData("_local = (int)Machine.Stamp;")]
    public void Simple_field_and_arithmetic_code_is_trivial(string body) => Assert.True(Analyse(body), body);

    [Theory]
    [InlineData("Machine.Helper();")] // a call can reach Dispatch
    [InlineData("Machine.Computed = 1;")] // a property with accessor bodies is a call
    [InlineData("_local = Machine.Computed;")]
    [InlineData("_local = Machine.Other2!.Virt;")] // virtual, and a null receiver
    [InlineData("Machine.Other!.N = 1;")] // a null receiver throws
    [InlineData("Machine.Items[0] = 1;")] // index out of range
    [InlineData("Machine.Count = Machine.Count / e.N;")] // division by zero
    [InlineData("Machine.Count %= e.N;")]
    [InlineData("Machine.Count = checked(Machine.Count + 1);")] // overflow
    [InlineData("Machine.Count = checked((int)Machine.Big);")]
    [InlineData("Machine.Count = (int)Machine.Money;")] // decimal conversions throw on overflow even unchecked
    [InlineData("Machine.Big += (long)Machine.Money;")]
    [InlineData("Machine.Money = (decimal)Machine.Ratio;")]
    [InlineData("Machine.Color = (Color)Machine.Money;")]
    [InlineData("Machine.Money = Machine.Money + 1;")]
    [InlineData("M.Shared++;")] // a static field may run a type initializer
    [InlineData("Machine.Other = new Ref();")] // an allocation runs a constructor
    [InlineData("object o = Machine.Count;")] // boxing allocates
    [InlineData("while (Machine.Flag) { }")] // loops are not analysed
    [InlineData("throw new System.InvalidOperationException();")]
    [InlineData("System.Action a = () => { }; a();")]
    public void Anything_that_can_throw_or_call_is_not(string body) => Assert.False(Analyse(body), body);

    [Fact]
    public void Entry_exit_guard_and_machine_methods_are_analysed_and_an_explicit_base_binds_too()
    {
        var model = GeneratorHarness.Model("""
            using Hsm;
            namespace T;
            public readonly record struct Go;
            public sealed class Box { public int N; }
            [StateMachine]
            public partial class M
            {
                public int Count;
                void Bump() => Count++;
                void Log() => System.Console.WriteLine(Count);

                [Initial, Transition<Go, B>(Guard = nameof(Ok), Action = nameof(Bump))]
                public partial class A : State<M>
                {
                    [Entry] void In() => Machine.Count++;
                    [Exit] void Out() { Machine.Count--; }
                    bool Ok() => Machine.Count >= 0;
                }

                [Transition<Go, A>(Action = nameof(Log))]
                public partial class B
                {
                    [Entry] void In() => System.GC.KeepAlive(this);
                }
            }
            """, "T.M");
        var a = model.States.Single(s => s.Name == "A");
        var b = model.States.Single(s => s.Name == "B");
        Assert.True(a.Entry!.Trivial);
        Assert.True(a.Exit!.Trivial);
        Assert.True(a.Reactions.Single().Guard!.Trivial);
        Assert.True(a.Reactions.Single().Action!.Trivial); // the machine's own method
        Assert.False(b.Entry!.Trivial);
        Assert.False(b.Reactions.Single().Action!.Trivial);
    }

    [Fact]
    public void A_reference_type_event_parameter_can_be_null_so_reading_it_is_not_trivial()
    {
        var model = GeneratorHarness.Model("""
            using Hsm;
            namespace T;
            public sealed class Msg { public int N; }
            [StateMachine]
            public partial class M
            {
                public int Count;
                [Initial, Internal<Msg>(Action = nameof(Take)), Internal<int>(Action = nameof(Add))]
                public partial class S
                {
                    void Take(Msg e) => Machine.Count = e.N;
                    void Add(in int e) => Machine.Count += e;
                }
            }
            """, "T.M");
        var reactions = model.States.Single(s => s.Name == "S").Reactions;
        Assert.False(reactions[0].Action!.Trivial);
        Assert.True(reactions[1].Action!.Trivial);
    }

    private static bool Analyse(string body)
    {
        // Through the parser, as the generator runs it: S is declared without a base class, so Machine binds only once the
        // parser supplies the State<M> base the generator will add.
        var action = GeneratorHarness.Model(Template.Replace("BODY", body, StringComparison.Ordinal), "T.M").States.Single(s => s.Name == "S").Reactions.Single().Action;
        Assert.NotNull(action);
        return action!.Trivial;
    }
}
