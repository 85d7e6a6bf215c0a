using Hsm;

namespace Hsm.Tests;

public readonly record struct Open;
public readonly record struct Close;
public readonly record struct Lock(int Code);
public readonly record struct Unlock(int Code);

[StateMachine]
public partial class Door
{
    public List<string> Log { get; } = [];
    public int Code;

    [Initial]
    [Transition<Open, Opened>]
    [Transition<Lock, Locked>(Action = nameof(StoreCode))]
    public partial class Closed
    {
        [Entry] void In() => Machine.Log.Add("enter Closed");
        [Exit] void Out() => Machine.Log.Add("exit Closed");
        void StoreCode(in Lock e) => Machine.Code = e.Code;
    }

    [Transition<Close, Closed>]
    public partial class Opened
    {
        [Entry] void In() => Machine.Log.Add("enter Opened");
        [Exit] void Out() => Machine.Log.Add("exit Opened");
    }

    public partial class Locked
    {
        [Entry] void In() => Machine.Log.Add("enter Locked");
        [On] EventResult OnUnlock(in Unlock e) => e.Code == Machine.Code ? Goto<Closed>() : Handled;
    }
}
