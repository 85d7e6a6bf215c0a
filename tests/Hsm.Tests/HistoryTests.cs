using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class HistoryTests
{
    private static History Started()
    {
        var m = new History();
        m.Start();
        return m;
    }

    private static string[] Run<TEvent>(History m, TEvent e)
    {
        m.Log.Clear();
        m.Send(e);
        return [.. m.Log];
    }

    [Fact]
    public void NeverVisitedHistoryEntersTheHistoryDefaultWithItsDefaultEntry()
    {
        Assert.Equal(["exit Off", "enter On", "enter Fast", "enter F1"], Run(Started(), new ResumeShallow()));
        Assert.Equal(["exit Off", "enter On", "enter Fast", "enter F1"], Run(Started(), new ResumeDeep()));
    }

    [Fact]
    public void NeverVisitedHistoryWithoutADefaultEntersTheInitialState()
    {
        var m = Started();
        Assert.Equal(["exit Off", "enter Menu", "enter M1"], Run(m, new OpenMenu()));
        Run(m, new Advance());
        Run(m, new Pause());
        Assert.Equal(["exit Off", "enter Menu", "enter M2"], Run(m, new OpenMenu()));
    }

    [Fact]
    public void ShallowHistoryRestoresTheDirectSubstateWithItsDefaultEntry()
    {
        var m = Started();
        Run(m, new ResumeShallow());
        Run(m, new Advance()); // F1 → F2
        Assert.Equal(["exit F2", "exit Fast", "exit On", "enter Off"], Run(m, new Pause()));
        Assert.Equal(["exit Off", "enter On", "enter Fast", "enter F1"], Run(m, new ResumeShallow()));
    }

    [Fact]
    public void DeepHistoryRestoresTheInnermostStates()
    {
        var m = Started();
        Run(m, new ResumeShallow());
        Run(m, new Advance());
        Run(m, new Pause());
        Assert.Equal(["exit Off", "enter On", "enter Fast", "enter F2"], Run(m, new ResumeDeep()));
    }

    [Fact]
    public void APlainTransitionIgnoresHistoryAndHistoryFollowsTheLastExit()
    {
        var m = Started();
        Run(m, new ResumeDeep());
        Run(m, new Advance());
        Run(m, new Pause()); // history: Fast.F2
        Assert.Equal(["exit Off", "enter On", "enter Slow", "enter S1"], Run(m, new Restart()));
        Run(m, new Advance()); // S1 → S2
        Run(m, new Pause()); // history: Slow.S2
        Assert.Equal(["exit Off", "enter On", "enter Slow", "enter S2"], Run(m, new ResumeDeep()));
        Run(m, new Pause());
        Assert.Equal(["exit Off", "enter On", "enter Slow", "enter S1"], Run(m, new ResumeShallow()));
    }

    [Fact]
    public void HistoryIsPartOfTheCapturedConfiguration()
    {
        var m = Started();
        Run(m, new Restart());
        Run(m, new Advance());
        Run(m, new Pause());
        var config = m.CaptureConfiguration();
        Assert.Equal([new KeyValuePair<string, string>("On", "On.Slow.S2")], config.History);

        var copy = new History();
        copy.RestoreConfiguration(config);
        Assert.Equal(["exit Off", "enter On", "enter Slow", "enter S2"], Run(copy, new ResumeDeep()));
    }
}
