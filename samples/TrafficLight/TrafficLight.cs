using Hsm;

namespace TrafficLightSample;

public readonly record struct PowerOn;
public readonly record struct PowerOff;
public readonly record struct Tick;
public readonly record struct Button;
public readonly record struct Walk;
public readonly record struct Fault;
public readonly record struct Repaired;

/// <summary>
/// A pedestrian crossing. Hierarchy: Operating contains Normal and Maintenance. Regions: Normal runs the car lights and the
/// crossing side by side. History: power returns to exactly where the light was (deep history), and a repair returns the
/// lights to where they were. Deferral: a button pressed during maintenance is kept and honoured after the repair.
/// </summary>
[StateMachine]
public partial class TrafficLight
{
    /// <summary>Where the machine's own messages go (the sample prints them).</summary>
    public Action<string> Say { get; set; } = _ => { };

    [Initial, Transition<PowerOn, DeepHistory<Operating>>]
    public partial class Off;

    [Transition<PowerOff, Off>]
    public partial class Operating
    {
        [Initial, Transition<Fault, Maintenance>]
        public partial class Normal
        {
            [Region]
            public partial class Lights
            {
                [Initial, Transition<Tick, Yellow>]
                public partial class Green;

                [Transition<Tick, Red>]
                public partial class Yellow;

                [Transition<Tick, Green>]
                public partial class Red
                {
                    // Events raised by an action run after the current step: the crossing sees Walk once Red is entered.
                    [Entry]
                    void Stop()
                    {
                        if (Machine.IsIn<Crossing.Requested>())
                        {
                            Machine.Dispatch(new Walk());
                        }
                    }
                }
            }

            [Region]
            public partial class Crossing
            {
                [Initial, Transition<Button, Requested>]
                public partial class DontWalk;

                [Transition<Walk, Walking>]
                public partial class Requested
                {
                    [On] void Again(in Button e) => Machine.Say("  (already requested)");
                }

                [Transition<Tick, DontWalk>]
                public partial class Walking;
            }
        }

        [Defer<Button>, Transition<Repaired, DeepHistory<Normal>>]
        public partial class Maintenance
        {
            [Entry] void Flash() => Machine.Say("  lights flash yellow");
        }
    }
}
