namespace Hsm;

/// <summary>Base class of the errors a state machine raises itself.</summary>
public class HsmException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HsmException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>Which kind of user code threw.</summary>
public enum HsmActionKind
{
    /// <summary>An entry action.</summary>
    Entry,

    /// <summary>An exit action.</summary>
    Exit,

    /// <summary>A guard.</summary>
    Guard,

    /// <summary>A transition or branch action.</summary>
    Action,

    /// <summary>An event handler method.</summary>
    Handler,
}

/// <summary>
/// User code (an entry, exit, guard, action or handler) threw while the machine processed an event. The inner exception is
/// the original. The machine stays in the configuration reached when the code threw: states exited before it stay exited,
/// states entered before it (and a state whose entry threw) are active, and events still queued are discarded.
/// </summary>
public sealed class HsmActionException : HsmException
{
    /// <summary>Creates the exception.</summary>
    public HsmActionException(string machine, string state, string? eventType, HsmActionKind kind, Exception inner)
        : base($"{kind} of state '{state}' in state machine '{machine}' threw while " +
               (eventType is null ? "starting the machine" : $"processing event '{eventType}'") + $": {inner.Message}", inner)
    {
        Machine = machine;
        State = state;
        EventType = eventType;
        Kind = kind;
    }

    /// <summary>The machine's type name.</summary>
    public string Machine { get; }

    /// <summary>The state whose code threw.</summary>
    public string State { get; }

    /// <summary>The event being processed, or null during <c>Start()</c>.</summary>
    public string? EventType { get; }

    /// <summary>What threw.</summary>
    public HsmActionKind Kind { get; }
}

/// <summary>A bounded queue (run-to-completion or deferred events) is full: events are raised or deferred faster than they are consumed.</summary>
public sealed class HsmQueueFullException : HsmException
{
    /// <summary>Creates the exception.</summary>
    public HsmQueueFullException(string machine, string queue, int capacity, string eventType)
        : base($"The {queue} queue of state machine '{machine}' is full ({capacity} events) while adding '{eventType}'. " +
               $"Raise fewer events from actions, or increase [StateMachine({(queue == "deferred" ? "DeferredCapacity" : "QueueCapacity")} = ...)].")
    {
    }
}
