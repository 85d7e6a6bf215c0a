using Hsm.Tests.Machines;

namespace Hsm.Tests;

/// <summary>
/// Entry/exit/action order for every LCA case. Expected traces follow UML 2.5 (§14.2.3.8, transition execution: exit the
/// active configuration up to the transition's domain innermost first, run the effect, enter from the domain down to the
/// target, then the target's default entry) and SCXML's domain rule for local ("internal") transitions.
/// </summary>
public class LcaTests
{
    private static Lca Started()
    {
        var m = new Lca();
        m.Start();
        Assert.Equal(["enter A", "enter A1", "enter A11"], m.Log);
        return m;
    }

    private static string[] Run<TEvent>(Lca m, TEvent e)
    {
        m.Log.Clear();
        m.Send(e);
        return [.. m.Log];
    }

    private static Lca InA211()
    {
        var m = Started();
        Run(m, new ToCousin());
        Assert.True(m.IsIn<Lca.A.A2.A21.A211>());
        return m;
    }

    [Fact]
    public void SelfTransitionOfALeafExitsAndReentersIt()
    {
        var m = Started();
        Assert.Equal(["exit A11", "act SelfLeaf", "enter A11"], Run(m, new SelfLeaf()));
        Assert.True(m.IsIn<Lca.A.A1.A11>());
    }

    [Fact]
    public void ExternalSelfTransitionOfACompositeExitsItAndReentersThroughItsInitial()
    {
        var m = Started();
        Assert.Equal(["exit A11", "exit A1", "act SelfComposite", "enter A1", "enter A11"], Run(m, new SelfComposite()));
    }

    [Fact]
    public void LocalSelfTransitionOfACompositeOnlyResetsItsSubstates()
    {
        var m = Started();
        Run(m, new ToSibling());
        Assert.Equal(["exit A12", "act SelfCompositeLocal", "enter A11"], Run(m, new SelfCompositeLocal()));
    }

    [Fact]
    public void ExternalTransitionToAChildExitsAndReentersTheSource()
    {
        var m = Started();
        Assert.Equal(["exit A11", "exit A1", "act ToChild", "enter A1", "enter A12"], Run(m, new ToChild()));
        Assert.True(m.IsIn<Lca.A.A1.A12>());
    }

    [Fact]
    public void LocalTransitionToAChildKeepsTheSource()
    {
        var m = Started();
        Assert.Equal(["exit A11", "act ToChildLocal", "enter A12"], Run(m, new ToChildLocal()));
    }

    [Fact]
    public void ExternalTransitionToTheParentExitsAndReentersTheParent()
    {
        var m = Started();
        Assert.Equal(["exit A11", "exit A1", "act ToParent", "enter A1", "enter A11"], Run(m, new ToParent()));
    }

    [Fact]
    public void LocalTransitionToTheParentKeepsTheParentAndTakesItsInitialTransition()
    {
        var m = Started();
        Assert.Equal(["exit A11", "act ToParentLocal", "enter A11"], Run(m, new ToParentLocal()));
    }

    [Fact]
    public void TransitionBetweenSiblingsExitsAndEntersOnlyThem()
    {
        var m = Started();
        Assert.Equal(["exit A11", "act ToSibling", "enter A12"], Run(m, new ToSibling()));
    }

    [Fact]
    public void TransitionBetweenCousinsAtDifferentDepths()
    {
        var m = Started();
        Assert.Equal(["exit A11", "exit A1", "act ToCousin", "enter A2", "enter A21", "enter A211"], Run(m, new ToCousin()));
        Assert.Equal(["exit A211", "exit A21", "exit A2", "act ToCousin", "enter A1", "enter A12"], Run(m, new ToCousin()));
        Assert.True(m.IsIn<Lca.A.A1.A12>());
    }

    [Fact]
    public void TransitionToACompositeCousinDrillsDownThroughInitialStates()
    {
        var m = Started();
        Run(m, new ToSibling());
        Assert.Equal(["exit A12", "exit A1", "act ToShallowCousin", "enter A2", "enter A21", "enter A211"], Run(m, new ToShallowCousin()));
    }

    [Fact]
    public void TransitionAcrossTheTopExitsEverything()
    {
        var m = Started();
        Assert.Equal(["exit A11", "exit A1", "exit A", "act ToOtherBranch", "enter B", "enter B1", "enter B11"], Run(m, new ToOtherBranch()));
        Assert.Equal(["B", "B.B1", "B.B1.B11"], m.ActiveStates.Select(s => s.Path));
    }

    [Fact]
    public void TransitionDeclaredOnAnAncestorExitsFromTheActiveLeaf()
    {
        var m = InA211();
        Assert.Equal(["exit A211", "exit A21", "exit A2", "exit A", "act FromAncestor", "enter B", "enter B1", "enter B11"], Run(m, new FromAncestor()));
    }

    [Fact]
    public void InternalTransitionRunsItsActionWithoutExitOrEntry()
    {
        var m = InA211();
        Assert.Equal(["act Tick"], Run(m, new Tick()));
        Assert.True(m.IsIn<Lca.A.A2.A21.A211>());
    }

    [Theory]
    [InlineData(1, new[] { "act HandlerGo1", "exit A211", "exit A21", "exit A2", "exit A", "enter A", "enter A1", "enter A12" })]
    [InlineData(2, new[] { "act HandlerGo2", "exit A211", "exit A21", "exit A2", "enter A1", "enter A12" })]
    [InlineData(3, new[] { "act HandlerGo3", "exit A211", "exit A21", "exit A2", "exit A", "enter A", "enter A1", "enter A11" })]
    [InlineData(4, new[] { "act HandlerGo4", "exit A211", "exit A21", "exit A2", "enter A1", "enter A11" })]
    [InlineData(5, new[] { "act HandlerGo5", "exit A211", "exit A21", "exit A2", "exit A", "enter B", "enter B1", "enter B11" })]
    [InlineData(0, new[] { "act HandlerGo0" })]
    public void HandlerOfAnAncestorTransitionsFromItsOwnStateNotFromTheLeaf(int target, string[] expected)
    {
        // A handler's body is the decision and the effect: it runs before the exits (as in QP), unlike a declared Action.
        var m = InA211();
        Assert.Equal(expected, Run(m, new HandlerGo(target)));
    }

    [Theory]
    [InlineData(6, 1)]
    [InlineData(7, 2)]
    public void ATargetOnlyKnownAtRunTimeBehavesLikeTheSameStaticTarget(int dynamicKind, int staticKind)
    {
        var expected = Run(InA211(), new HandlerGo(staticKind)).Skip(1);
        var m = InA211();
        m.DynamicTarget = Lca.A.A1.A12.StateId;
        Assert.Equal(expected, Run(m, new HandlerGo(dynamicKind)).Skip(1));
        Assert.True(m.IsIn<Lca.A.A1.A12>());
    }

    [Fact]
    public void ADynamicTargetOutsideTheMachineIsAClearError()
    {
        var m = InA211();
        m.DynamicTarget = 999;
        var ex = Assert.Throws<HsmException>(() => m.Dispatch(new HandlerGo(6)));
        Assert.Contains("state id 999", ex.Message);
        Assert.Contains("'A'", ex.Message);
    }

    [Fact]
    public void ObserverSeesTheSameOrderWithInitialTransitions()
    {
        var m = new Lca { Observer = new TraceRecorder { IncludeDispatchAndGuards = false } };
        m.Start();
        var trace = ((TraceRecorder)m.Observer!).Lines;
        Assert.Equal(["init:Lca->A", "entry:A", "init:A->A1", "entry:A1", "init:A1->A11", "entry:A11"], trace);
        trace.Clear();
        m.Dispatch(new ToShallowCousin()); // A11 does not react to it
        Assert.Equal(["unhandled:ToShallowCousin"], trace);
        m.Dispatch(new ToSibling());
        trace.Clear();
        m.Dispatch(new ToShallowCousin());
        Assert.Equal(["transition:A12->A2", "exit:A12", "exit:A1", "entry:A2", "init:A2->A21", "entry:A21", "init:A21->A211", "entry:A211"], trace);
    }
}
