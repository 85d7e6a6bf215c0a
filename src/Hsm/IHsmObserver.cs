namespace Hsm;

/// <summary>
/// Receives every step of a machine's work. Attach with <see cref="IStateMachine.Observer"/>. Struct events are boxed for the
/// observer only, so a machine without an observer stays allocation-free. Every member has an empty default.
/// </summary>
public interface IHsmObserver
{
    /// <summary>An event starts being processed.</summary>
    void OnDispatch(IStateMachine machine, object @event)
    {
    }

    /// <summary>A guard was evaluated.</summary>
    void OnGuard(IStateMachine machine, int stateId, string guard, bool result)
    {
    }

    /// <summary>A transition starts (before its exits). <paramref name="targetId"/> is the declared target (a state, or for a
    /// history or choice target, the composite or choice id).</summary>
    void OnTransition(IStateMachine machine, int sourceId, int targetId)
    {
    }

    /// <summary>A state was exited.</summary>
    void OnExit(IStateMachine machine, int stateId)
    {
    }

    /// <summary>A state was entered.</summary>
    void OnEntry(IStateMachine machine, int stateId)
    {
    }

    /// <summary>No active state handled the event; it was discarded.</summary>
    void OnUnhandled(IStateMachine machine, object @event)
    {
    }

    /// <summary>The event was deferred by an active state.</summary>
    void OnDeferred(IStateMachine machine, object @event)
    {
    }
}

/// <summary>An observer that records each step as a line of text, e.g. <c>exit:Idle</c>, <c>entry:Busy</c>; handy in tests.</summary>
public sealed class TraceRecorder : IHsmObserver
{
    /// <summary>The recorded lines.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>Whether dispatch and guard lines are recorded as well as exits, entries and transitions. Default true.</summary>
    public bool IncludeDispatchAndGuards { get; init; } = true;

    /// <inheritdoc />
    public void OnDispatch(IStateMachine machine, object @event)
    {
        if (IncludeDispatchAndGuards)
        {
            Lines.Add("dispatch:" + @event.GetType().Name);
        }
    }

    /// <inheritdoc />
    public void OnGuard(IStateMachine machine, int stateId, string guard, bool result)
    {
        if (IncludeDispatchAndGuards)
        {
            Lines.Add($"guard:{machine.Info.States[stateId].Name}.{guard}={(result ? "true" : "false")}");
        }
    }

    /// <inheritdoc />
    public void OnTransition(IStateMachine machine, int sourceId, int targetId) =>
        Lines.Add($"transition:{machine.Info.States[sourceId].Name}->{machine.Info.States[targetId].Name}");

    /// <inheritdoc />
    public void OnExit(IStateMachine machine, int stateId) => Lines.Add("exit:" + machine.Info.States[stateId].Name);

    /// <inheritdoc />
    public void OnEntry(IStateMachine machine, int stateId) => Lines.Add("entry:" + machine.Info.States[stateId].Name);

    /// <inheritdoc />
    public void OnUnhandled(IStateMachine machine, object @event) => Lines.Add("unhandled:" + @event.GetType().Name);

    /// <inheritdoc />
    public void OnDeferred(IStateMachine machine, object @event) => Lines.Add("deferred:" + @event.GetType().Name);
}
