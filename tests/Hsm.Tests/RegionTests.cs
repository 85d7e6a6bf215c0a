using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class RegionTests
{
    private static Editor Opened()
    {
        var m = new Editor();
        m.Start();
        m.Dispatch(new Open1());
        return m;
    }

    private static string[] Run<TEvent>(Editor m, TEvent e)
    {
        m.Log.Clear();
        m.Send(e);
        return [.. m.Log];
    }

    private static string[] Active(Editor m) => [.. m.ActiveStates.Select(s => s.Path)];

    [Fact]
    public void RegionsAreEnteredInDocumentOrder()
    {
        var m = new Editor();
        m.Start();
        Assert.Equal(["exit Idle", "enter Active", "enter Plain", "enter NoList", "enter Clean"], Run(m, new Open1()));
        Assert.Equal(["Active", "Active.Text.Plain", "Active.Lists.NoList", "Active.Saver.Clean"], Active(m));
    }

    [Fact]
    public void AnEventIsOfferedToEveryRegionInDocumentOrder()
    {
        var m = Opened();
        Assert.Equal(["exit Plain", "enter Bold", "exit NoList", "enter Bullets"], Run(m, new Flip()));
        Assert.True(m.IsIn<Editor.Active.Text.Bold>());
        Assert.True(m.IsIn<Editor.Active.Lists.Bullets>());
        Assert.True(m.IsIn<Editor.Active.Saver.Clean>());
        Assert.False(m.IsIn<Editor.Active.Text.Plain>());
        Assert.False(m.IsIn<Editor.Active.Lists.NoList>());
        Assert.Equal(Editor.Active.StateId, m.CurrentStateId);
    }

    [Fact]
    public void LeavingTheOrthogonalStateExitsRegionsInReverseDocumentOrder()
    {
        var m = Opened();
        Run(m, new Flip());
        Run(m, new LockSaver());
        Assert.Equal(["exit Locked", "exit Bullets", "exit Bold", "exit Active", "enter Idle"], Run(m, new Stop1()));
    }

    [Fact]
    public void ATransitionOutOfTheOrthogonalStateFromInsideARegionEndsTheOffer()
    {
        var m = Opened();
        // Plain (Text) leaves Active on Quit; NoList (Lists) would have reacted to Quit but its region no longer exists.
        Assert.Equal(["exit Clean", "exit NoList", "exit Plain", "exit Active", "enter Idle"], Run(m, new Quit()));
    }

    [Fact]
    public void ARegionThatDoesNotReactLeavesTheEventToTheNextRegion()
    {
        var m = new Editor();
        m.RestoreConfiguration(new HsmConfiguration("Editor", ["Active", "Active.Text.Bold", "Active.Lists.NoList", "Active.Saver.Clean"], [], []));
        Assert.Equal(["NoList saw Quit"], Run(m, new Quit())); // Bold does not react to Quit; NoList does
        Assert.Equal(["Active", "Active.Text.Bold", "Active.Lists.NoList", "Active.Saver.Clean"], Active(m));
    }

    [Fact]
    public void ACrossRegionTransitionExitsAndReentersTheOrthogonalState()
    {
        var m = Opened();
        Run(m, new Flip()); // Bold, Bullets
        // SCXML: the domain of a transition between two regions is the orthogonal state's parent. Bullets (Lists) would have
        // reacted to Jump, but the Text region's transition already replaced the configuration it belonged to.
        Assert.Equal(
            ["exit Clean", "exit Bullets", "exit Bold", "exit Active", "enter Active", "enter Plain", "enter Numbered", "enter Clean"],
            Run(m, new Jump()));
        Assert.Equal(["Active", "Active.Text.Plain", "Active.Lists.Numbered", "Active.Saver.Clean"], Active(m));
    }

    [Fact]
    public void ARegionsDeferralYieldsToAnotherRegionThatConsumesTheEvent()
    {
        var trace = new TraceRecorder { IncludeDispatchAndGuards = false };
        var m = Opened();
        m.Observer = trace;
        Assert.Equal(["saved"], Run(m, new Save())); // NoList defers Save, Clean handles it: handled, not deferred
        Assert.DoesNotContain("deferred:Save", trace.Lines);

        Run(m, new LockSaver());
        Assert.Empty(Run(m, new Save())); // only NoList reacts: deferred
        Assert.Contains("deferred:Save", trace.Lines);
        Assert.Equal(["exit Locked", "enter Clean", "saved"], Run(m, new UnlockSaver()));
    }
}
