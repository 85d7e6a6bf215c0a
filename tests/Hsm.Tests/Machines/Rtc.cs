using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Kick(int Raise);
public readonly record struct Job(int N);
public readonly record struct Urgent(int N);

/// <summary>Run-to-completion: events raised by actions wait until the current step (exits, action, entries) is over.</summary>
[StateMachine(QueueCapacity = 3)]
public partial class Rtc
{
    public List<string> Log { get; } = [];

    [Initial]
    public partial class Idle
    {
        [Exit] void Out() => Machine.Log.Add("exit Idle");

        [On]
        EventResult OnKick(in Kick e)
        {
            for (var i = 1; i <= e.Raise; i++)
            {
                Machine.Log.Add("raise Job" + i);
                Machine.Dispatch(new Job(i));
            }

            return Goto<Busy>();
        }
    }

    public partial class Busy
    {
        [Entry] void In() => Machine.Log.Add("enter Busy");

        [On]
        void OnPing(in Job e)
        {
            Machine.Log.Add("job " + e.N);
            if (e.N == 1)
            {
                Machine.Dispatch(new Job(3));
                Machine.DispatchNext(new Urgent(1));
                Machine.DispatchNext(new Urgent(2));
            }
        }

        [On] void OnPong(in Urgent e) => Machine.Log.Add("urgent " + e.N);
    }
}
