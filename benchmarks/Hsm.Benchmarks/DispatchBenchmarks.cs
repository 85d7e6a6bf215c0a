using BenchmarkDotNet.Attributes;
using Stateless;

namespace Hsm.Benchmarks;

// Each benchmark dispatches N events per invocation (OperationsPerInvoke), so the reported time is per event, free of the
// harness's per-call overhead. The switch is the baseline: the Ratio column of the Hsm row is Hsm/switch.
// Every GlobalSetup checks that the events really change the state, so no variant measures a no-op.
// The loops are written out in every case on purpose: a shared loop would reach the machine through a virtual call or a
// delegate, and that call would dominate what is measured. Every loop holds its machine in a local, as a method that
// dispatches one event does: the JIT hoists the field load out of the switch's loop by itself but not out of a loop
// whose body has calls (Hsm's cold paths), and an inlined Dispatch whose machine is reloaded in every iteration keeps
// the reference on the stack (docs/adr/0006).

public abstract class CaseBase
{
    protected const int N = 1000;

    /// <summary>Operations per call of a benchmark method (events; for case 5, Leave + Back round trips).</summary>
    internal const int OperationsPerCall = N;

    protected static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup check failed: " + what);
        }
    }
}

[BenchmarkCategory("1 toggle")]
public class Case1Toggle : CaseBase
{
    private readonly ToggleHsm _hsm = new();
    private readonly ToggleSwitch _switch = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _stateless = StatelessMachines.Toggle();
        _hsm.Dispatch(new Flip());
        _switch.Flip();
        _stateless.Fire(Tr.Flip);
        Check(_hsm.IsIn<ToggleHsm.B>() && _switch.IsB && _stateless.State == St.B, "toggle moves A → B");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Flip();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Flip());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Flip);
        }
    }
}

[BenchmarkCategory("2a inherited")]
public class Case2aInherited : CaseBase
{
    private readonly DeepHsm _hsm = new();
    private readonly DeepSwitch _switch = new();
    private readonly StatelessMachines.Counter _counter = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _stateless = StatelessMachines.Deep(_counter);
        _hsm.Count = 0;
        _hsm.Dispatch(new Ping());
        _switch.Ping();
        _stateless.Fire(Tr.Ping);
        Check(_hsm.Count == 1 && _switch.Count == 1 && _counter.Count == 1 && _hsm.IsIn<DeepHsm.L1.L2.L3.L4.L5>(), "Ping handled by L1 while L5 is active");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Ping();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Ping());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Ping);
        }
    }
}

[BenchmarkCategory("2b cousins")]
public class Case2bCousins : CaseBase
{
    private readonly DeepHsm _hsm = new();
    private readonly DeepSwitch _switch = new();
    private readonly StatelessMachines.Counter _counter = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _stateless = StatelessMachines.Deep(_counter);
        _hsm.Count = 0;
        _hsm.Dispatch(new Cross());
        _switch.Cross();
        _stateless.Fire(Tr.Cross);
        Check(_hsm.Count == 8 && _switch.Count == 8 && _counter.Count == 8, "Cross runs 4 exits and 4 entries");
        Check(_hsm.IsIn<DeepHsm.L1.M2.M3.M4.M5>() && _stateless.State == St.M5, "Cross moves L5 → M5");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Cross();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Cross());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Cross);
        }
    }
}

[BenchmarkCategory("3 internal")]
public class Case3Internal : CaseBase
{
    private readonly InternalHsm _hsm = new();
    private readonly InternalSwitch _switch = new();
    private readonly StatelessMachines.Counter _counter = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _stateless = StatelessMachines.Internal(_counter);
        _hsm.Dispatch(new Tick());
        _switch.Tick();
        _stateless.Fire(Tr.Tick);
        Check(_hsm.Count == 1 && _switch.Count == 1 && _counter.Count == 1, "Tick runs the internal action");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Tick();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Tick());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Tick);
        }
    }
}

[BenchmarkCategory("4 guards")]
public class Case4Guards : CaseBase
{
    private readonly GuardHsm _hsm = new();
    private readonly GuardSwitch _switch = new();
    private readonly StatelessMachines.Flags _flags = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _stateless = StatelessMachines.Guard(_flags);
        _hsm.Dispatch(new Decide());
        _switch.Decide();
        _stateless.Fire(Tr.Decide);
        Check(_hsm.IsIn<GuardHsm.T>() && _stateless.State == St.T, "the second guard passes: S → T");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Decide();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Decide());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Decide);
        }
    }
}

/// <summary>One operation is a round trip: Leave the composite, then come Back through its shallow history (2 events).</summary>
[BenchmarkCategory("5 history")]
public class Case5History : CaseBase
{
    private readonly HistoryHsm _hsm = new();
    private readonly HistorySwitch _switch = new();
    private StateMachine<St, Tr> _stateless = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hsm.Start();
        _hsm.Dispatch(new Flip()); // H1 → H2, so history differs from the initial state
        _switch.Flip();
        _stateless = StatelessMachines.History();
        _hsm.Dispatch(new Leave());
        _hsm.Dispatch(new Back());
        _stateless.Fire(Tr.Leave);
        _stateless.Fire(Tr.Back);
        Check(_hsm.IsIn<HistoryHsm.H.H2>() && _stateless.State == St.H2, "history returns to H2");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Switch()
    {
        var machine = _switch;

        for (var i = 0; i < N; i++)
        {
            machine.Leave();
            machine.Back();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Hsm()
    {
        var machine = _hsm;

        for (var i = 0; i < N; i++)
        {
            machine.Dispatch(new Leave());
            machine.Dispatch(new Back());
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Stateless()
    {
        var machine = _stateless;

        for (var i = 0; i < N; i++)
        {
            machine.Fire(Tr.Leave);
            machine.Fire(Tr.Back);
        }
    }
}
