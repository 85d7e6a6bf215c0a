using Hsm.Tests.Machines;

namespace Hsm.Tests;

/// <summary>Steps that run only trivial user code skip the guarded run (ADR 0007). These tests pin down that nothing a user
/// can observe changes: run-to-completion, observers (attached before or during a run), errors and recovery. That Tock
/// and Swap do take the fast path is checked on the generated code in Hsm.Generators.Tests (TrivialDispatchTests).</summary>
public class TrivialStepTests
{
    [Fact]
    public void Trivial_steps_run_at_once_and_transition_with_their_entries_and_exits()
    {
        var m = new Tally();
        m.Start();
        m.Dispatch(new Tock());
        m.Dispatch(new Tock());
        m.Dispatch(new Swap());
        m.Dispatch(new Tock());
        Assert.True(m.IsIn<Tally.Off>());
        Assert.Equal((1, 2, 1), (m.Count, m.Entries, m.Exits));
        m.Dispatch(new Swap());
        Assert.True(m.IsIn<Tally.On>());
        Assert.Equal((3, 2), (m.Entries, m.Exits));
    }

    [Fact]
    public void A_trivial_event_dispatched_by_an_action_waits_for_the_step_to_finish()
    {
        var m = new Tally();
        m.Start();
        m.Dispatch(new Burst());
        Assert.Equal(["before 0", "after 0"], m.Log); // queued, not run inside the action
        Assert.Equal(1, m.Count);
        Assert.True(m.IsIn<Tally.Off>());
    }

    [Fact]
    public void An_observer_sees_trivial_steps()
    {
        var m = new Tally();
        var trace = new TraceRecorder();
        m.Start();
        m.Observer = trace;
        m.Dispatch(new Tock());
        m.Dispatch(new Swap());
        Assert.Equal(["dispatch:Tock", "dispatch:Swap", "transition:On->Off", "exit:On", "entry:Off"], trace.Lines);
        Assert.Equal((1, 2, 1), (m.Count, m.Entries, m.Exits));

        m.Observer = null;
        m.Dispatch(new Swap());
        Assert.Equal(5, trace.Lines.Count);
    }

    [Fact]
    public void An_observer_attached_or_removed_by_an_action_takes_effect_for_the_next_event()
    {
        var m = new Tally();
        var trace = new TraceRecorder();
        m.ToAttach = trace;
        m.Start();
        m.Dispatch(new Watch(true));
        Assert.Same(trace, m.Observer);
        m.Dispatch(new Tock());
        Assert.Equal(["dispatch:Tock"], trace.Lines);

        m.Dispatch(new Watch(false)); // observed itself, then detaches
        m.Dispatch(new Tock());
        Assert.Equal(["dispatch:Tock", "dispatch:Watch"], trace.Lines);
        Assert.Equal(2, m.Count);
    }

    [Fact]
    public void Before_start_a_trivial_event_is_a_clear_error_and_the_machine_still_starts()
    {
        var m = new Tally();
        var ex = Assert.Throws<HsmException>(() => m.Dispatch(new Tock()));
        Assert.Contains("call Start()", ex.Message);
        m.Start();
        m.Dispatch(new Tock());
        Assert.Equal(1, m.Count);
    }

    [Fact]
    public void An_event_handled_alike_in_every_state_still_needs_an_active_state()
    {
        var m = new Tally();
        Assert.Contains("call Start()", Assert.Throws<HsmException>(() => m.Dispatch(new Clear())).Message);
        m.Start();
        m.Count = 5;
        m.Dispatch(new Clear());
        Assert.Equal(0, m.Count);

        // User code threw after every state was exited: a clear error, not a null reference from a missing state.
        Assert.Throws<HsmActionException>(() => m.Dispatch(new Boom()));
        var ex = Assert.Throws<HsmException>(() => m.Dispatch(new Clear()));
        Assert.Contains("has no active state", ex.Message);
        m.RestoreConfiguration(new HsmConfiguration("Tally", ["Off"], [], []));
        m.Count = 3;
        m.Dispatch(new Clear());
        Assert.Equal(0, m.Count);

        var trace = new TraceRecorder();
        m.Observer = trace;
        m.Dispatch(new Clear());
        Assert.Equal(["dispatch:Clear"], trace.Lines);
    }

    [Fact]
    public void Auto_properties_and_record_properties_run_on_the_fast_path_too()
    {
        var m = new Tally();
        m.Start();
        m.Dispatch(new Raise(3));
        m.Dispatch(new Raise(4));
        Assert.Equal(7, m.Level);
    }

    [Fact]
    public void A_restore_that_fails_half_way_leaves_no_active_state_on_every_path()
    {
        var m = new Tally();
        m.Start();
        m.Count = 5;
        Assert.Throws<ArgumentException>(() => m.RestoreConfiguration(new HsmConfiguration("Tally", ["Nope"], [], [])));
        Assert.Contains("has no active state", Assert.Throws<HsmException>(() => m.Dispatch(new Clear())).Message); // no switch
        Assert.Contains("has no active state", Assert.Throws<HsmException>(() => m.Dispatch(new Swap())).Message); // default case
        Assert.Equal((5, 1, 0), (m.Count, m.Entries, m.Exits));

        m.RestoreConfiguration(new HsmConfiguration("Tally", ["On"], [], []));
        m.Dispatch(new Clear());
        Assert.Equal(0, m.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_path_processes_the_event_as_it_was_when_dispatched(bool observed)
    {
        var m = new Snapshotting();
        m.Start();
        if (observed)
        {
            m.Observer = new TraceRecorder();
        }

        m.Slot.N = 1;
        m.Dispatch(in m.Slot); // trivial step (fast path, or the observed one)
        Assert.Equal((1, 99), (m.Seen, m.Slot.N));
        m.Slot2.N = 2;
        m.Dispatch(in m.Slot2); // guarded step
        Assert.Equal([2], m.Log);
    }

    [Fact]
    public void After_user_code_threw_trivial_steps_run_at_once_again()
    {
        var m = new Tally();
        m.Start();
        var ex = Assert.Throws<HsmActionException>(() => m.Dispatch(new Boom()));
        // The trivial exit before the action left no record; the action that threw is named.
        Assert.Equal(("On", HsmActionKind.Action, "Boom"), (ex.State, ex.Kind, ex.EventType));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal(1, m.Exits);

        m.RestoreConfiguration(new HsmConfiguration("Tally", ["Off"], [], []));
        m.Dispatch(new Tock());
        Assert.Equal(-1, m.Count);
        m.Dispatch(new Swap());
        Assert.True(m.IsIn<Tally.On>());
    }
}

/// <summary>Quiet transitions (a trivial step writes the active state once, after its exits and entries) across a hierarchy
/// with history: same order, same final state, same history as the observed path, which writes it at every step.</summary>
public class QuietTransitionTests
{
    [Fact]
    public void Exits_and_entries_run_in_order_and_the_final_state_and_history_are_right()
    {
        var m = new Trail();
        m.Start();
        Assert.Equal(0x135, m.Trace);
        Expect(m, new Hop(), 0x647, "P.P2");            // P11 → P2: exits P11, P1; enters P2
        Expect(m, new Leap(), 0x829, "Q");                // P → Q from P2: exits P2, P
        Expect(m, new Return(), 0xA17, "P.P2");           // shallow history of P: P2 (not quiet: a history target)
        Expect(m, new Leap(), 0x829, "Q");
        Expect(m, new Hop(), 0xA135, "P.P1.P11");       // Q → P11: exits Q; enters P, P1, P11
        Expect(m, new Leap(), 0x6429, "Q");               // P11, P1, P exited: P's history is now P1
        Expect(m, new Return(), 0xA135, "P.P1.P11");      // back to P1, then its initial P11
    }

    [Fact]
    public void The_fast_path_and_the_observed_path_agree_step_by_step()
    {
        var fast = new Trail();
        var observed = new Trail { Observer = new TraceRecorder() };
        fast.Start();
        observed.Start();
        object[] events = [new Hop(), new Leap(), new Return(), new Hop(), new Leap(), new Hop(), new Leap(), new Return(), new Leap(), new Return()];
        foreach (var e in events)
        {
            Send(fast, e);
            Send(observed, e);
            Assert.Equal(observed.Trace, fast.Trace);
            Assert.Equal(observed.CurrentState.Path, fast.CurrentState.Path);
            Assert.Equal(observed.CaptureConfiguration().History, fast.CaptureConfiguration().History);
        }

        Assert.NotEmpty(((TraceRecorder)observed.Observer!).Lines);
    }

    private static void Send(Trail m, object e)
    {
        switch (e)
        {
            case Hop h: m.Dispatch(h); break;
            case Leap g: m.Dispatch(g); break;
            case Return b: m.Dispatch(b); break;
        }
    }

    private static void Expect<TEvent>(Trail m, TEvent e, long digits, string state)
    {
        m.Trace = 0;
        m.Send(e);
        Assert.Equal(digits, m.Trace);
        Assert.Equal(state, m.CurrentState.Path);
    }
}
