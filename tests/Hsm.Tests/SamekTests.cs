namespace Hsm.Tests;

public class SamekTests
{
    [Fact]
    public void ClassicTrace()
    {
        var m = new QhsmTst();
        m.Start();
        Assert.Equal(["s-ENTRY", "s1-ENTRY", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new A());
        Assert.Equal(["s1-A", "s11-EXIT", "s1-EXIT", "s1-ENTRY", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new B());
        Assert.Equal(["s1-B", "s11-EXIT", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new D());
        Assert.Equal(["s1-D", "s11-EXIT", "s1-EXIT", "s1-ENTRY", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new D());
        Assert.Equal(["s11-D", "s11-EXIT", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new E());
        Assert.Equal(["s-E", "s11-EXIT", "s1-EXIT", "s1-ENTRY", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new I());
        Assert.Equal(["s1-I"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new F());
        Assert.Equal(["s1-F", "s11-EXIT", "s1-EXIT", "s2-ENTRY", "s21-ENTRY", "s211-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new I());
        Assert.Equal(["s2-I"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new I());
        Assert.Equal(["s-I"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new G());
        Assert.Equal(["s21-G", "s211-EXIT", "s21-EXIT", "s2-EXIT", "s1-ENTRY", "s11-ENTRY"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new H());
        Assert.Equal(["s11-H", "s11-EXIT", "s1-EXIT", "s1-ENTRY", "s11-ENTRY"], m.Trace);
    }
}
