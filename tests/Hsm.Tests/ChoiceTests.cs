using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class ChoiceTests
{
    [Fact]
    public void GuardsRunAfterTheExitsAndTheActionAndTheFirstTrueBranchIsTaken()
    {
        var trace = new TraceRecorder();
        var m = new Grader { Observer = trace };
        m.Start();
        trace.Lines.Clear();
        m.Dispatch(new Grade(70));
        Assert.Equal(["exit Waiting", "act record", "guard High", "act congratulate", "enter Pass"], m.Log);
        Assert.Equal(
            ["dispatch:Grade", "transition:Waiting->Decide", "exit:Waiting", "guard:Decide.High=true", "transition:Decide->Pass", "entry:Pass"],
            trace.Lines);
    }

    [Fact]
    public void AGuardSeesWhatTheExitChanged()
    {
        var m = new Grader();
        m.Start();
        m.Dispatch(new Grade(10)); // Waiting's exit counts the attempt before FirstAttempt is evaluated
        Assert.Equal(["exit Waiting", "act record", "guard High", "guard FirstAttempt", "enter Retry"], m.Log);
        m.Log.Clear();
        m.Dispatch(new Grade(10));
        Assert.Equal(["act record", "guard High", "guard FirstAttempt", "act console", "enter Fail"], m.Log);
    }

    [Fact]
    public void TheElseBranchIsTakenWhenNoGuardHolds()
    {
        var m = new Grader();
        m.Start();
        m.Dispatch(new Grade(10));
        m.Dispatch(new Grade(70));
        Assert.True(m.IsIn<Grader.Pass>());
        m.Dispatch(new Reset());
        m.Log.Clear();
        m.Dispatch(new Grade(0)); // second attempt
        Assert.Equal(["exit Waiting", "act record", "guard High", "guard FirstAttempt", "act console", "enter Fail"], m.Log);
        Assert.True(m.IsIn<Grader.Fail>());
    }
}
