using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class DeferralTests
{
    private static (Printer Machine, TraceRecorder Trace) Started(bool raiseOnAccepting = false)
    {
        var trace = new TraceRecorder { IncludeDispatchAndGuards = false };
        var m = new Printer { Observer = trace, RaiseOnAccepting = raiseOnAccepting };
        m.Start();
        trace.Lines.Clear();
        return (m, trace);
    }

    [Fact]
    public void DeferredEventsWaitAndAreRecalledInArrivalOrderWhenTheConfigurationChanges()
    {
        var (m, trace) = Started();
        m.Dispatch(new PrintJob(0));
        m.Dispatch(new Begin());
        m.Dispatch(new PrintJob(1));
        m.Dispatch(new PrintJob(2));
        Assert.Equal(["print 0"], m.Log);
        Assert.Equal(2, trace.Lines.Count(l => l == "deferred:PrintJob"));
        Assert.Equal([new PrintJob(1), new PrintJob(2)], m.CaptureConfiguration().DeferredEvents);

        m.Dispatch(new Toggle()); // Working → Accepting, which handles PrintJob itself
        Assert.Equal(["print 0", "accept 1", "accept 2"], m.Log);
        Assert.Empty(m.CaptureConfiguration().DeferredEvents);
    }

    [Fact]
    public void LeavingTheDeferringStateRecallsTheEventsToTheNewConfiguration()
    {
        var (m, _) = Started();
        m.Dispatch(new Begin());
        m.Dispatch(new PrintJob(1));
        m.Dispatch(new PrintJob(2));
        m.Dispatch(new Done());
        Assert.Equal(["print 1", "print 2"], m.Log);
    }

    [Fact]
    public void RecalledEventsComeBeforeEventsRaisedDuringTheTransition()
    {
        var (m, _) = Started(raiseOnAccepting: true);
        m.Dispatch(new Begin());
        m.Dispatch(new PrintJob(1));
        m.Dispatch(new PrintJob(2));
        m.Dispatch(new Toggle()); // Accepting's entry raises PrintJob(99)
        Assert.Equal(["accept 1", "accept 2", "accept 99"], m.Log);
    }

    [Fact]
    public void TheDeferredQueueIsBoundedAndKeepsItsEventsOnOverflow()
    {
        var (m, _) = Started();
        m.Dispatch(new Begin());
        for (var i = 1; i <= 3; i++)
        {
            m.Dispatch(new PrintJob(i));
        }

        var ex = Assert.Throws<HsmQueueFullException>(() => m.Dispatch(new PrintJob(4)));
        Assert.Contains("deferred queue of state machine 'Printer' is full (3 events)", ex.Message);
        Assert.Contains("DeferredCapacity", ex.Message);
        m.Dispatch(new Done());
        Assert.Equal(["print 1", "print 2", "print 3"], m.Log);
    }
}
