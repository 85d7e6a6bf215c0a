namespace Hsm.Benchmarks;

// The same machines written by hand: an enum and a switch per event, exits and entries inlined. This is the practical limit.

public sealed class ToggleSwitch
{
    private enum S : byte { A, B }

    private S _state;

    public bool IsB => _state == S.B;

    public void Flip() => _state = _state switch
    {
        S.A => S.B,
        _ => S.A,
    };
}

public sealed class DeepSwitch
{
    private enum S : byte { L5, M5 }

    private S _state;
    public int Count;

    public void Ping()
    {
        switch (_state)
        {
            case S.L5:
            case S.M5:
                Count++; // handled by L1, the common top state
                break;
        }
    }

    public void Cross()
    {
        switch (_state)
        {
            case S.L5:
                ExitL5(); ExitL4(); ExitL3(); ExitL2();
                EnterM2(); EnterM3(); EnterM4(); EnterM5();
                _state = S.M5;
                break;
            case S.M5:
                ExitM5(); ExitM4(); ExitM3(); ExitM2();
                EnterL2(); EnterL3(); EnterL4(); EnterL5();
                _state = S.L5;
                break;
        }
    }

    private void ExitL5() => Count++;
    private void ExitL4() => Count++;
    private void ExitL3() => Count++;
    private void ExitL2() => Count++;
    private void EnterL2() => Count++;
    private void EnterL3() => Count++;
    private void EnterL4() => Count++;
    private void EnterL5() => Count++;
    private void ExitM5() => Count++;
    private void ExitM4() => Count++;
    private void ExitM3() => Count++;
    private void ExitM2() => Count++;
    private void EnterM2() => Count++;
    private void EnterM3() => Count++;
    private void EnterM4() => Count++;
    private void EnterM5() => Count++;
}

public sealed class InternalSwitch
{
    private enum S : byte { S }

    private S _state = S.S;
    public int Count;

    public void Tick()
    {
        switch (_state)
        {
            case S.S:
                Count++;
                break;
        }
    }
}

public sealed class GuardSwitch
{
    private enum S : byte { S, T, Other }

    private S _state;
    public bool Flag;

    public void Decide()
    {
        switch (_state)
        {
            case S.S:
                if (Flag) { _state = S.Other; }
                else if (!Flag) { _state = S.T; }
                break;
            case S.T:
                if (Flag) { _state = S.Other; }
                else if (!Flag) { _state = S.S; }
                break;
        }
    }
}

public sealed class HistorySwitch
{
    private enum S : byte { H1, H2, Out }

    private S _state;
    private S _history = S.H1;

    public void Flip()
    {
        if (_state == S.H1)
        {
            _state = S.H2;
        }
    }

    public void Leave()
    {
        if (_state is S.H1 or S.H2)
        {
            _history = _state;
            _state = S.Out;
        }
    }

    public void Back()
    {
        if (_state == S.Out)
        {
            _state = _history;
        }
    }
}
