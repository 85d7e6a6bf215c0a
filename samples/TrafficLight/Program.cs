using Hsm;
using TrafficLightSample;

// `dotnet run --project samples/TrafficLight` runs a scenario and prints every entry and exit;
// `-- --mermaid` prints the machine's generated Mermaid diagram (the one in README.md).
if (args.Contains("--mermaid"))
{
    Console.Write(TrafficLight.MermaidDiagram);
    return;
}

var light = new TrafficLight { Observer = new ConsoleTrace(), Say = Console.WriteLine };
light.Start();
Show();
Step(new PowerOn());   // Operating was never visited: its deep history enters the initial states
Step(new Button());
Step(new Tick());      // Green → Yellow
Step(new Button());    // already requested
Step(new Tick());      // Yellow → Red; Red's entry raises Walk, processed after the step
Step(new Tick());      // Red → Green and Walking → DontWalk: one event, offered to both regions
Step(new Tick());      // Green → Yellow
Step(new Fault());     // maintenance: both regions are exited, the last one first
Step(new Button());    // deferred while in maintenance
Step(new Repaired());  // deep history of Normal: Yellow and DontWalk again, then the deferred Button is recalled
Step(new PowerOff());
Step(new PowerOn());   // deep history of Operating: back to Yellow and Requested
return;

void Step<TEvent>(TEvent e)
{
    Console.WriteLine($"{typeof(TEvent).Name}:");
    light.Send(e);
    Show();
}

void Show() => Console.WriteLine("  now: " + string.Join(", ", light.ActiveStates.Where(s => s.Kind != StateKind.Composite).Select(s => s.Path)));

/// <summary>Prints entries, exits and deferrals as they happen.</summary>
internal sealed class ConsoleTrace : IHsmObserver
{
    public void OnEntry(IStateMachine machine, int stateId) => Console.WriteLine("  enter " + machine.Info.States[stateId].Name);

    public void OnExit(IStateMachine machine, int stateId) => Console.WriteLine("  exit  " + machine.Info.States[stateId].Name);

    public void OnDeferred(IStateMachine machine, object e) => Console.WriteLine("  deferred " + e.GetType().Name);

    public void OnUnhandled(IStateMachine machine, object e) => Console.WriteLine("  ignored " + e.GetType().Name);
}
