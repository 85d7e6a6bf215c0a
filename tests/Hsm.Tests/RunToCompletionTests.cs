using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class RunToCompletionTests
{
    [Fact]
    public void EventsRaisedInsideAStepRunAfterItInOrderWithReDispatchFirst()
    {
        var m = new Rtc();
        m.Start();
        m.Dispatch(new Kick(2));
        Assert.Equal(
        [
            "raise Job1", "raise Job2", "exit Idle", "enter Busy", // the whole transition completes first
            "job 1",
            "urgent 1", "urgent 2", // DispatchNext: right after the step that raised them, in the order raised
            "job 2", "job 3", // then the queue, oldest first
        ], m.Log);
    }

    [Fact]
    public void OverflowingTheQueueIsAClearErrorAndTheMachineRecovers()
    {
        var m = new Rtc();
        m.Start();
        var ex = Assert.Throws<HsmQueueFullException>(() => m.Dispatch(new Kick(4)));
        Assert.Contains("run-to-completion queue of state machine 'Rtc' is full (3 events)", ex.Message);
        Assert.Contains("QueueCapacity", ex.Message);

        // The handler threw before returning its transition: the machine is still in Idle, and the three events that fit were discarded.
        Assert.True(m.IsIn<Rtc.Idle>());
        m.Log.Clear();
        m.Dispatch(new Kick(1));
        Assert.Equal(["raise Job1", "exit Idle", "enter Busy", "job 1", "urgent 1", "urgent 2", "job 3"], m.Log);
    }

    [Fact]
    public void DispatchOutsideAnActionIsProcessedAtOnce()
    {
        var m = new Rtc();
        m.Start();
        m.Dispatch(new Kick(0));
        m.Log.Clear();
        m.DispatchNext(new Urgent(7));
        Assert.Equal(["urgent 7"], m.Log);
    }

    [Fact]
    public void DispatchingBeforeStartIsAClearError()
    {
        var ex = Assert.Throws<HsmException>(() => new Rtc().Dispatch(new Job(1)));
        Assert.Contains("call Start()", ex.Message);
        var m = new Rtc();
        m.Start();
        Assert.Throws<InvalidOperationException>(m.Start);
    }

    // Called directly with an int, Send would not compile: HSM0008 reports the event type no state handles.
    private static void SendFromGenericCode<TEvent>(IStateMachine m, TEvent e) => m.Send(e);

    [Fact]
    public void SendOfAnUnknownEventTypeNamesTheHandledOnes()
    {
        var m = new Rtc();
        m.Start();
        var ex = Assert.Throws<HsmException>(() => SendFromGenericCode(m, 42));
        Assert.Contains("System.Int32", ex.Message);
        Assert.Contains("Kick, Job, Urgent", ex.Message);
    }
}
