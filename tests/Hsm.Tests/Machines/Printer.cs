using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct PrintJob(int N);
public readonly record struct Begin;
public readonly record struct Toggle;
public readonly record struct Done;

/// <summary>
/// Deferral: Busy defers PrintJob; its substate Accepting handles it (an inner state's reaction beats an outer deferral).
/// <code>
/// Idle (initial): PrintJob printed, Begin → Busy
/// Busy [Defer PrintJob], Done → Idle
/// ├── Working (initial)  Toggle → Accepting
/// └── Accepting          Toggle → Working, PrintJob accepted
/// </code>
/// </summary>
[StateMachine(DeferredCapacity = 3)]
public partial class Printer
{
    public List<string> Log { get; } = [];
    public bool RaiseOnAccepting;

    [Initial, Transition<Begin, Busy>]
    public partial class Idle
    {
        [On] void Print(in PrintJob e) => Machine.Log.Add("print " + e.N);
    }

    [Defer<PrintJob>, Transition<Done, Idle>]
    public partial class Busy
    {
        [Initial, Transition<Toggle, Accepting>]
        public partial class Working;

        [Transition<Toggle, Working>]
        public partial class Accepting
        {
            [Entry]
            void In()
            {
                if (Machine.RaiseOnAccepting)
                {
                    Machine.Dispatch(new PrintJob(99));
                }
            }

            [On] void Accept(in PrintJob e) => Machine.Log.Add("accept " + e.N);
        }
    }
}
