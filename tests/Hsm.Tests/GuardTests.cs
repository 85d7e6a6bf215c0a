using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class GuardTests
{
    private static Guards Started(bool parentAllows = false)
    {
        var m = new Guards { ParentAllows = parentAllows };
        m.Start();
        return m;
    }

    [Fact]
    public void FirstGuardThatHoldsWins()
    {
        var m = Started();
        m.Dispatch(new Attempt(1));
        Assert.Equal(["guard First"], m.Log);
        Assert.True(m.IsIn<Guards.P.L2>());
    }

    [Fact]
    public void AFailingGuardFallsThroughToTheNextCandidateOfTheSameState()
    {
        var m = Started();
        m.Dispatch(new Attempt(2));
        Assert.Equal(["guard First", "guard Second", "act ToL3 2"], m.Log);
        Assert.True(m.IsIn<Guards.P.L3>());
    }

    [Fact]
    public void WhenEveryGuardOfTheStateFailsTheParentIsTried()
    {
        var m = Started(parentAllows: true);
        m.Dispatch(new Attempt(3));
        Assert.Equal(["guard First", "guard Second", "guard Parent"], m.Log);
        Assert.True(m.IsIn<Guards.P2>());
    }

    [Fact]
    public void WhenNoGuardHoldsTheEventIsUnhandledAndTheObserverSaysSo()
    {
        var trace = new TraceRecorder();
        var m = Started();
        m.Observer = trace;
        m.Dispatch(new Attempt(3));
        Assert.True(m.IsIn<Guards.P.L1>());
        Assert.Equal(
            ["dispatch:Attempt", "guard:L1.First=false", "guard:L1.Second=false", "guard:P.ParentGuard=false", "unhandled:Attempt"],
            trace.Lines);
    }
}
