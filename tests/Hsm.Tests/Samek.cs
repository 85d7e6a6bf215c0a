using Hsm;

namespace Hsm.Tests;

public readonly record struct A;
public readonly record struct B;
public readonly record struct C;
public readonly record struct D;
public readonly record struct E;
public readonly record struct F;
public readonly record struct G;
public readonly record struct H;
public readonly record struct I;
public readonly record struct Terminate;

/// <summary>Miro Samek's canonical test machine (PSiCC2 figure 2.11) with the classic trace.</summary>
[StateMachine]
public partial class QhsmTst
{
    public int Foo;
    public List<string> Trace { get; } = [];

    [Transition<I, S>(Guard = nameof(FooIsSet), Action = nameof(ClearFoo), Kind = TransitionKind.External)]
    [Initial]
    public partial class S
    {
        [Entry] void In() => Machine.Trace.Add("s-ENTRY");
        [Exit] void Out() => Machine.Trace.Add("s-EXIT");
        [On] EventResult OnE(in E e) { Machine.Trace.Add("s-E"); return GotoLocal<S1.S11>(); }
        [On] EventResult OnI(in I e) { if (Machine.Foo != 0) { Machine.Foo = 0; Machine.Trace.Add("s-I"); return Handled; } return Unhandled; }
        bool FooIsSet() => false;
        void ClearFoo() { }

        [Initial]
        public partial class S1
        {
            [Entry] void In() => Machine.Trace.Add("s1-ENTRY");
            [Exit] void Out() => Machine.Trace.Add("s1-EXIT");
            [On] EventResult OnA(in A e) { Machine.Trace.Add("s1-A"); return Goto<S1>(); }
            [On] EventResult OnB(in B e) { Machine.Trace.Add("s1-B"); return GotoLocal<S1.S11>(); }
            [On] EventResult OnC(in C e) { Machine.Trace.Add("s1-C"); return Goto<S2>(); }
            [On] EventResult OnD(in D e) { if (Machine.Foo == 0) { Machine.Foo = 1; Machine.Trace.Add("s1-D"); return GotoLocal<S>(); } return Unhandled; }
            [On] EventResult OnF(in F e) { Machine.Trace.Add("s1-F"); return Goto<S2.S21.S211>(); }
            [On] EventResult OnI(in I e) { Machine.Trace.Add("s1-I"); return Handled; }

            [Initial]
            public partial class S11
            {
                [Entry] void In() => Machine.Trace.Add("s11-ENTRY");
                [Exit] void Out() => Machine.Trace.Add("s11-EXIT");
                [On] EventResult OnD(in D e) { if (Machine.Foo != 0) { Machine.Foo = 0; Machine.Trace.Add("s11-D"); return GotoLocal<S1>(); } return Unhandled; }
                [On] EventResult OnG(in G e) { Machine.Trace.Add("s11-G"); return Goto<S2.S21.S211>(); }
                [On] EventResult OnH(in H e) { Machine.Trace.Add("s11-H"); return GotoLocal<S>(); }
            }
        }

        public partial class S2
        {
            [Entry] void In() => Machine.Trace.Add("s2-ENTRY");
            [Exit] void Out() => Machine.Trace.Add("s2-EXIT");
            [On] EventResult OnC(in C e) { Machine.Trace.Add("s2-C"); return Goto<S1>(); }
            [On] EventResult OnF(in F e) { Machine.Trace.Add("s2-F"); return Goto<S1.S11>(); }
            [On] EventResult OnI(in I e) { if (Machine.Foo == 0) { Machine.Foo = 1; Machine.Trace.Add("s2-I"); return Handled; } return Unhandled; }

            [Initial]
            public partial class S21
            {
                [Entry] void In() => Machine.Trace.Add("s21-ENTRY");
                [Exit] void Out() => Machine.Trace.Add("s21-EXIT");
                [On] EventResult OnA(in A e) { Machine.Trace.Add("s21-A"); return Goto<S21>(); }
                [On] EventResult OnB(in B e) { Machine.Trace.Add("s21-B"); return GotoLocal<S211>(); }
                [On] EventResult OnG(in G e) { Machine.Trace.Add("s21-G"); return Goto<S1>(); }

                [Initial]
                public partial class S211
                {
                    [Entry] void In() => Machine.Trace.Add("s211-ENTRY");
                    [Exit] void Out() => Machine.Trace.Add("s211-EXIT");
                    [On] EventResult OnD(in D e) { Machine.Trace.Add("s211-D"); return GotoLocal<S21>(); }
                    [On] EventResult OnH(in H e) { Machine.Trace.Add("s211-H"); return GotoLocal<S>(); }
                }
            }
        }
    }
}
