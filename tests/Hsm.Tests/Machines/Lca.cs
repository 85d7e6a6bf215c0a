using Hsm;

namespace Hsm.Tests.Machines;

// One event per LCA case; every transition has an action so its place between the exits and the entries is visible.
public readonly record struct SelfLeaf;
public readonly record struct SelfComposite;
public readonly record struct SelfCompositeLocal;
public readonly record struct ToChild;
public readonly record struct ToChildLocal;
public readonly record struct ToParent;
public readonly record struct ToParentLocal;
public readonly record struct ToSibling;
public readonly record struct ToCousin;
public readonly record struct ToShallowCousin;
public readonly record struct ToOtherBranch;
public readonly record struct FromAncestor;
public readonly record struct Tick;
public readonly record struct HandlerGo(int Target);

/// <summary>
/// <code>
/// Lca
/// ├── A (initial)            FromAncestor → B1, Tick internal
/// │   ├── A1 (initial)       SelfComposite(+Local) → A1, ToChild(+Local) → A12
/// │   │   ├── A11 (initial)  SelfLeaf → A11, ToParent(+Local) → A1, ToSibling → A12, ToCousin → A211, ToOtherBranch → B11
/// │   │   └── A12            ToShallowCousin → A2 (composite target: default entry)
/// │   └── A2
/// │       └── A21 (initial)
/// │           └── A211 (initial)   ToCousin → A12
/// └── B
///     └── B1 (initial)
///         └── B11 (initial)
/// </code>
/// </summary>
[StateMachine]
public partial class Lca
{
    public List<string> Log { get; } = [];

    /// <summary>Target of <see cref="HandlerGo"/> 6 and 7, which the generator cannot see (the dynamic transition path).</summary>
    public int DynamicTarget;

    void Act(string name) => Log.Add("act " + name);

    [Initial]
    [Transition<FromAncestor, B.B1>(Action = nameof(ActFromAncestor))]
    [Internal<Tick>(Action = nameof(ActTick))]
    public partial class A
    {
        [Entry] void In() => Machine.Log.Add("enter A");
        [Exit] void Out() => Machine.Log.Add("exit A");
        void ActFromAncestor() => Machine.Act("FromAncestor");
        void ActTick() => Machine.Act("Tick");

        [Initial]
        [Transition<SelfComposite, A1>(Action = nameof(ActSelf))]
        [Transition<SelfCompositeLocal, A1>(Action = nameof(ActSelfLocal), Kind = TransitionKind.Local)]
        [Transition<ToChild, A1.A12>(Action = nameof(ActChild))]
        [Transition<ToChildLocal, A1.A12>(Action = nameof(ActChildLocal), Kind = TransitionKind.Local)]
        public partial class A1
        {
            [Entry] void In() => Machine.Log.Add("enter A1");
            [Exit] void Out() => Machine.Log.Add("exit A1");
            void ActSelf() => Machine.Act("SelfComposite");
            void ActSelfLocal() => Machine.Act("SelfCompositeLocal");
            void ActChild() => Machine.Act("ToChild");
            void ActChildLocal() => Machine.Act("ToChildLocal");

            [Initial]
            [Transition<SelfLeaf, A11>(Action = nameof(ActSelfLeaf))]
            [Transition<ToParent, A1>(Action = nameof(ActParent))]
            [Transition<ToParentLocal, A1>(Action = nameof(ActParentLocal), Kind = TransitionKind.Local)]
            [Transition<ToSibling, A12>(Action = nameof(ActSibling))]
            [Transition<ToCousin, A2.A21.A211>(Action = nameof(ActCousin))]
            [Transition<ToOtherBranch, B.B1.B11>(Action = nameof(ActOtherBranch))]
            public partial class A11
            {
                [Entry] void In() => Machine.Log.Add("enter A11");
                [Exit] void Out() => Machine.Log.Add("exit A11");
                void ActSelfLeaf() => Machine.Act("SelfLeaf");
                void ActParent() => Machine.Act("ToParent");
                void ActParentLocal() => Machine.Act("ToParentLocal");
                void ActSibling() => Machine.Act("ToSibling");
                void ActCousin() => Machine.Act("ToCousin");
                void ActOtherBranch() => Machine.Act("ToOtherBranch");
            }

            [Transition<ToShallowCousin, A2>(Action = nameof(ActShallowCousin))]
            public partial class A12
            {
                [Entry] void In() => Machine.Log.Add("enter A12");
                [Exit] void Out() => Machine.Log.Add("exit A12");
                void ActShallowCousin() => Machine.Act("ToShallowCousin");
            }
        }

        public partial class A2
        {
            [Entry] void In() => Machine.Log.Add("enter A2");
            [Exit] void Out() => Machine.Log.Add("exit A2");

            [Initial]
            public partial class A21
            {
                [Entry] void In() => Machine.Log.Add("enter A21");
                [Exit] void Out() => Machine.Log.Add("exit A21");

                [Initial]
                [Transition<ToCousin, A1.A12>(Action = nameof(ActCousin))]
                public partial class A211
                {
                    [Entry] void In() => Machine.Log.Add("enter A211");
                    [Exit] void Out() => Machine.Log.Add("exit A211");
                    void ActCousin() => Machine.Act("ToCousin");
                }
            }
        }
    }

    public partial class B
    {
        [Entry] void In() => Machine.Log.Add("enter B");
        [Exit] void Out() => Machine.Log.Add("exit B");

        [Initial]
        public partial class B1
        {
            [Entry] void In() => Machine.Log.Add("enter B1");
            [Exit] void Out() => Machine.Log.Add("exit B1");

            [Initial]
            public partial class B11
            {
                [Entry] void In() => Machine.Log.Add("enter B11");
                [Exit] void Out() => Machine.Log.Add("exit B11");
            }
        }
    }

    /// <summary>Handler transitions: the target is chosen at run time (1: Goto A12, 2: GotoLocal A12, 3: Goto A, 4: GotoLocal A),
    /// declared on A while a deep leaf is active, so the source (A) differs from the active leaf.</summary>
    partial class A
    {
        [On]
        EventResult OnHandlerGo(in HandlerGo e)
        {
            Machine.Act("HandlerGo" + e.Target);
            return e.Target switch
            {
                1 => Goto<A1.A12>(),
                2 => GotoLocal<A1.A12>(),
                3 => Goto<A>(),
                4 => GotoLocal<A>(),
                5 => Goto<B>(),
                6 => EventResult.Transition(Machine.DynamicTarget),
                7 => EventResult.LocalTransition(Machine.DynamicTarget),
                _ => Unhandled,
            };
        }
    }
}
