namespace Hsm;

/// <summary>
/// Members every generated state machine has. Machines are not thread-safe: dispatch from one thread at a time
/// (or through <see cref="HsmMailbox{TMachine}"/>).
/// </summary>
public interface IStateMachine
{
    /// <summary>The machine's static description.</summary>
    MachineInfo Info { get; }

    /// <summary>True once <see cref="Start"/> ran.</summary>
    bool IsStarted { get; }

    /// <summary>True when the machine's top region reached a final state; events are then ignored.</summary>
    bool IsTerminated { get; }

    /// <summary>Enters the initial configuration (running entry actions). Must be called once before dispatching.</summary>
    void Start();

    /// <summary>True when the state with this generated id is active (in any region).</summary>
    bool IsIn(int stateId);

    /// <summary>The active states, outermost first, in document order (allocates; for diagnostics and tests).</summary>
    IReadOnlyList<StateInfo> ActiveStates { get; }

    /// <summary>An observer told about every dispatch, guard, exit, entry and transition; null (the default) costs nothing.</summary>
    IHsmObserver? Observer { get; set; }

    /// <summary>Dispatches an event of a type known only to generic code. Throws <see cref="HsmException"/> if no state of the
    /// machine handles <typeparamref name="TEvent"/>. Prefer the generated <c>Dispatch</c> overloads, which the compiler checks.</summary>
    void Send<TEvent>(in TEvent e);

    /// <summary>Captures the active configuration, the history of every composite, and the deferred events, for persistence.</summary>
    HsmConfiguration CaptureConfiguration();

    /// <summary>Replaces the machine's configuration with a captured one without running entry or exit actions.</summary>
    void RestoreConfiguration(HsmConfiguration configuration);
}

/// <summary>A machine's configuration, captured by <see cref="IStateMachine.CaptureConfiguration"/>. States are named by their
/// dotted paths, so a configuration outlives a recompilation that renumbers states.</summary>
/// <param name="Machine">The machine's type name.</param>
/// <param name="ActiveStates">The innermost active state of every active region, as paths.</param>
/// <param name="History">For each composite state with history that was visited: (composite path, remembered state path).</param>
/// <param name="DeferredEvents">Deferred events in arrival order.</param>
public sealed record HsmConfiguration(
    string Machine,
    IReadOnlyList<string> ActiveStates,
    IReadOnlyList<KeyValuePair<string, string>> History,
    IReadOnlyList<object> DeferredEvents);
