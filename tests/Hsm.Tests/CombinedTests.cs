using Hsm.Tests.Machines;

namespace Hsm.Tests;

/// <summary>Regions, history and deferral in one machine (<see cref="Editor"/>), and the snapshot/restore round trip.</summary>
public class CombinedTests
{
    private static string[] Run<TEvent>(Editor m, TEvent e)
    {
        m.Log.Clear();
        m.Send(e);
        return [.. m.Log];
    }

    private static Editor Prepared()
    {
        var m = new Editor();
        m.Start();
        Run(m, new Open1());
        Run(m, new Flip()); // Bold, Bullets, Clean
        Run(m, new LockSaver()); // Bold, Bullets, Locked
        Run(m, new Stop1()); // Idle; deep history of every region recorded
        Run(m, new Save()); // deferred by Idle
        return m;
    }

    [Fact]
    public void DeepHistoryRestoresEveryRegionAndDeferredEventsAreRecalledAfterwards()
    {
        var trace = new TraceRecorder { IncludeDispatchAndGuards = false };
        var m = Prepared();
        m.Observer = trace;
        Assert.Equal(["exit Idle", "enter Active", "enter Bold", "enter Bullets", "enter Locked"], Run(m, new Resume()));
        // The recalled Save reaches a configuration where no region consumes or defers it: it is dropped.
        Assert.Equal("unhandled:Save", trace.Lines[^1]);
        Assert.Empty(m.CaptureConfiguration().DeferredEvents);
    }

    [Fact]
    public void ARecalledEventIsHandledByTheRestoredRegion()
    {
        var m = new Editor();
        m.Start();
        Run(m, new Open1());
        Run(m, new Flip());
        Run(m, new Stop1());
        Run(m, new Save());
        Assert.Equal(["exit Idle", "enter Active", "enter Bold", "enter Bullets", "enter Clean", "saved"], Run(m, new Resume()));
    }

    [Fact]
    public void ACapturedConfigurationRestoresIntoAMachineThatBehavesIdentically()
    {
        var original = Prepared();
        var config = original.CaptureConfiguration();
        Assert.Equal(["Idle"], config.ActiveStates);
        Assert.Equal([new Save()], config.DeferredEvents);
        Assert.Equal(3, config.History.Count);

        var restored = new Editor();
        restored.RestoreConfiguration(config);
        Assert.Empty(restored.Log); // no entry actions run on restore
        Assert.Equal(config, restored.CaptureConfiguration() with { }, new ConfigurationComparer());

        foreach (var step in new Action<Editor>[]
                 {
                     e => e.Dispatch(new Resume()), e => e.Dispatch(new UnlockSaver()), e => e.Dispatch(new Flip()),
                     e => e.Dispatch(new Jump()), e => e.Dispatch(new Save()), e => e.Dispatch(new Stop1()),
                     e => e.Dispatch(new Resume()),
                 })
        {
            original.Log.Clear();
            restored.Log.Clear();
            step(original);
            step(restored);
            Assert.Equal(original.Log, restored.Log);
            Assert.Equal(original.ActiveStates, restored.ActiveStates);
        }
    }

    [Fact]
    public void RestoringAnInvalidConfigurationNamesWhatIsWrong()
    {
        var m = new Editor();
        Assert.Contains("'Nowhere'", Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Editor", ["Nowhere"], [], []))).Message);
        Assert.Contains("not 'Editor'", Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Door", ["Idle"], [], []))).Message);
        Assert.Contains("regions has no active state",
            Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Editor", ["Active", "Active.Text.Bold"], [], []))).Message);
        Assert.Contains("two active states",
            Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Editor", ["Idle", "Active"], [], []))).Message);
        Assert.Contains("not an event type",
            Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Editor", ["Idle"], [], ["text"]))).Message);
        Assert.Contains("has no history",
            Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new("Editor", ["Idle"], [new("Idle", "Idle")], []))).Message);
    }

    private sealed class ConfigurationComparer : IEqualityComparer<HsmConfiguration>
    {
        public bool Equals(HsmConfiguration? x, HsmConfiguration? y) =>
            x!.Machine == y!.Machine && x.ActiveStates.SequenceEqual(y.ActiveStates) && x.History.SequenceEqual(y.History) &&
            x.DeferredEvents.SequenceEqual(y.DeferredEvents);

        public int GetHashCode(HsmConfiguration obj) => obj.Machine.GetHashCode();
    }
}
