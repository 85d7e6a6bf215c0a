using Hsm.Tests.Machines;

namespace Hsm.Tests;

/// <summary>Documented rule: states exited before the failing code stay exited; a state whose exit threw stays active; states
/// entered before it, and a state whose entry threw, are active; queued events are discarded.</summary>
public class ExceptionTests
{
    private static Faulty Started(string throwIn)
    {
        var m = new Faulty();
        m.Start();
        m.ThrowIn = throwIn;
        m.Log.Clear();
        return m;
    }

    private static string[] Active(Faulty m) => [.. m.ActiveStates.Select(s => s.Path)];

    [Theory]
    [InlineData("guard", HsmActionKind.Guard, "S1.S11", new[] { "S1", "S1.S11" })]
    [InlineData("S11.exit", HsmActionKind.Exit, "S1.S11", new[] { "S1", "S1.S11" })]
    [InlineData("S1.exit", HsmActionKind.Exit, "S1", new[] { "S1" })]
    [InlineData("action", HsmActionKind.Action, "S1.S11", new string[0])]
    [InlineData("S2.entry", HsmActionKind.Entry, "S2", new[] { "S2" })]
    [InlineData("S21.entry", HsmActionKind.Entry, "S2.S21", new[] { "S2", "S2.S21" })]
    public void ThrowingUserCodeNamesStateEventAndKindAndLeavesTheDocumentedConfiguration(string throwIn, HsmActionKind kind, string state, string[] active)
    {
        var m = Started(throwIn);
        var ex = Assert.Throws<HsmActionException>(() => m.Dispatch(new Move()));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(state, ex.State);
        Assert.Equal("Move", ex.EventType);
        Assert.Equal("Faulty", ex.Machine);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains($"{kind} of state '{state}' in state machine 'Faulty' threw while processing event 'Move': boom in {throwIn}", ex.Message);
        Assert.Equal(active, Active(m));
    }

    [Fact]
    public void AHandlerThatThrowsLeavesTheConfigurationUnchanged()
    {
        var m = Started("handler");
        var ex = Assert.Throws<HsmActionException>(() => m.Dispatch(new Poke()));
        Assert.Equal((HsmActionKind.Handler, "S1.S11", "Poke"), (ex.Kind, ex.State, ex.EventType));
        Assert.Equal(["S1", "S1.S11"], Active(m));
        m.ThrowIn = "";
        m.Dispatch(new Move());
        Assert.True(m.IsIn<Faulty.S2.S21>());
    }

    [Fact]
    public void AMachineLeftWithoutActiveStateSaysSoAndCanBeRestored()
    {
        var m = Started("action");
        var saved = new Faulty();
        saved.Start();
        var snapshot = saved.CaptureConfiguration();
        Assert.Throws<HsmActionException>(() => m.Dispatch(new Move()));
        var ex = Assert.Throws<HsmException>(() => m.Dispatch(new Poke()));
        Assert.Contains("has no active state", ex.Message);
        m.RestoreConfiguration(snapshot);
        m.ThrowIn = "";
        m.Dispatch(new Move());
        Assert.True(m.IsIn<Faulty.S2.S21>());
    }

    [Fact]
    public void AnEntryThatThrowsDuringStartHasNoEvent()
    {
        var m = new Faulty { ThrowIn = "S11.entry" };
        var ex = Assert.Throws<HsmActionException>(m.Start);
        Assert.Null(ex.EventType);
        Assert.Contains("while starting the machine", ex.Message);
        Assert.Equal(["S1", "S1.S11"], Active(m));
    }
}
