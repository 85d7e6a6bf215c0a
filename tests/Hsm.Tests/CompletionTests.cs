using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class CompletionTests
{
    private static Pipeline Started(bool allowB = true)
    {
        var m = new Pipeline { AllowB = allowB };
        m.Start();
        return m;
    }

    private static string[] Run<TEvent>(Pipeline m, TEvent e)
    {
        m.Log.Clear();
        m.Send(e);
        return [.. m.Log];
    }

    [Fact]
    public void ASimpleStateCompletesAsSoonAsItIsEnteredAndCompletionsChain()
    {
        var m = Started();
        Assert.Equal(["enter Prepare", "act prepared", "enter Work", "enter Step"], Run(m, new Run()));
        Assert.True(m.IsIn<Pipeline.Work.Step>());
    }

    [Fact]
    public void ACompositeCompletesWhenItsFinalStateIsEntered()
    {
        var m = Started();
        Run(m, new Run());
        Assert.Equal(["enter Finished", "exit Work", "enter Both"], Run(m, new StepDone()));
        Assert.True(m.IsIn<Pipeline.Both.A.A1>());
        Assert.True(m.IsIn<Pipeline.Both.B.B1.B11>());
    }

    [Fact]
    public void AnOrthogonalStateCompletesWhenEveryRegionReachedItsFinalStateAndTheTopFinalStateTerminates()
    {
        var m = Started();
        Run(m, new Run());
        Run(m, new StepDone());
        Assert.Equal(["enter B1Done", "enter BEnd"], Run(m, new FinishB()));
        Assert.False(m.IsTerminated);
        Assert.Equal(["enter AEnd", "exit Both", "enter End"], Run(m, new FinishA()));
        Assert.True(m.IsTerminated);
        Assert.Equal(["poll"], Run(Started(), new Poll()));
        Assert.Empty(Run(m, new Poll())); // a terminated machine ignores events, even the machine's own handlers
    }

    [Fact]
    public void AFinalStateNestedInsideARegionDoesNotCompleteTheRegion()
    {
        var m = Started(allowB: false);
        Run(m, new Run());
        Run(m, new StepDone());
        Run(m, new FinishA());
        Assert.Equal(["enter B1Done"], Run(m, new FinishB())); // B1's completion guard is false: region B stays in B1.B1Done
        Assert.True(m.IsIn<Pipeline.Both>());
        Assert.True(m.IsIn<Pipeline.Both.B.B1.B1Done>());
        Assert.False(m.IsTerminated);
    }
}
