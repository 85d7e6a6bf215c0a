using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Move;
public readonly record struct Poke;

/// <summary>Throws from the user code named by <see cref="ThrowIn"/> (e.g. "S11.exit", "S2.entry", "action").</summary>
[StateMachine]
public partial class Faulty
{
    public string ThrowIn = "";
    public List<string> Log { get; } = [];

    void Maybe(string where)
    {
        Log.Add(where);
        if (ThrowIn == where)
        {
            throw new InvalidOperationException("boom in " + where);
        }
    }

    [Initial]
    public partial class S1
    {
        [Entry] void In() => Machine.Maybe("S1.entry");
        [Exit] void Out() => Machine.Maybe("S1.exit");

        [Initial]
        [Transition<Move, S2.S21>(Guard = nameof(CanMove), Action = nameof(Act))]
        public partial class S11
        {
            [Entry] void In() => Machine.Maybe("S11.entry");
            [Exit] void Out() => Machine.Maybe("S11.exit");
            bool CanMove() { Machine.Maybe("guard"); return true; }
            void Act() => Machine.Maybe("action");
            [On] void OnPoke(in Poke e) => Machine.Maybe("handler");
        }
    }

    public partial class S2
    {
        [Entry] void In() => Machine.Maybe("S2.entry");
        [Exit] void Out() => Machine.Maybe("S2.exit");

        [Initial]
        public partial class S21
        {
            [Entry] void In() => Machine.Maybe("S21.entry");
        }
    }
}
