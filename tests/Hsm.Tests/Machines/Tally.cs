using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Tock;
public readonly record struct Swap;
public readonly record struct Burst;
public readonly record struct Watch(bool On);
public readonly record struct Boom;
public readonly record struct Clear;
public readonly record struct Raise(int By);

/// <summary>A machine whose Tock and Swap steps run only trivial user code (field arithmetic: no call, no throw), so the
/// generator dispatches them without the guarded run (ADR 0007); Burst, Watch and Boom run ordinary user code.</summary>
/// Clear is handled by the machine itself in every state: its dispatch has no switch over the active state at all.
/// Raise reads a positional record's property and writes an auto-property: both compiler-written accessors, so trivial too.
[StateMachine, Internal<Clear>(Action = nameof(Zero)), Internal<Raise>(Action = nameof(Up))]
public partial class Tally
{
    void Zero() => Count = 0;
    void Up(in Raise e) => Level += e.By;

    public int Level { get; set; }

    public int Count;
    public int Entries;
    public int Exits;
    public List<string> Log { get; } = [];
    public IHsmObserver? ToAttach;

    [Initial, Internal<Tock>(Action = nameof(Add)), Transition<Swap, Off>]
    [Internal<Burst>(Action = nameof(Fire)), Internal<Watch>(Action = nameof(SetObserver)), Transition<Boom, Off>(Action = nameof(Explode))]
    public partial class On
    {
        [Entry] void In() => Machine.Entries++;
        [Exit] void Out() => Machine.Exits++;
        void Add() => Machine.Count++;

        void Fire()
        {
            Machine.Log.Add("before " + Machine.Count);
            Machine.Dispatch(new Tock());
            Machine.Dispatch(new Swap());
            Machine.Log.Add("after " + Machine.Count);
        }

        void SetObserver(in Watch e) => Machine.Observer = e.On ? Machine.ToAttach : null;

        void Explode() => throw new InvalidOperationException("boom");
    }

    [Transition<Swap, On>, Internal<Tock>(Action = nameof(Sub))]
    public partial class Off
    {
        [Entry] void In() => Machine.Entries++;
        [Exit] void Out() => Machine.Exits++;
        void Sub() => Machine.Count--;
    }
}
