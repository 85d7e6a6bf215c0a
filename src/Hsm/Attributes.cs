namespace Hsm;

/// <summary>
/// Marks a <c>partial</c> class as a state machine. Its nested <c>partial</c> classes are its states; a state's nested
/// classes are its substates. The source generator compiles the machine into dispatch code at build time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StateMachineAttribute : Attribute
{
    /// <summary>Capacity of the run-to-completion queue holding events raised while a step runs. Default 64.</summary>
    public int QueueCapacity { get; set; } = 64;

    /// <summary>Capacity of the queue of deferred events. Default 64.</summary>
    public int DeferredCapacity { get; set; } = 64;

    /// <summary>
    /// Whether the generator may run a trivial entry, exit, guard or action body in place of calling it (field reads and
    /// writes and arithmetic only; see docs/hsm.md, "Run-to-completion and re-dispatch"). Default true. Set false to keep every call, e.g. to
    /// stop in those methods under a debugger or to count their lines in code coverage; for one method, mark it
    /// <c>[MethodImpl(MethodImplOptions.NoInlining)]</c>.
    /// </summary>
    public bool InlineTrivialBodies { get; set; } = true;
}

/// <summary>Marks the state entered by default when its parent (or region, or the machine) is entered.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InitialAttribute : Attribute;

/// <summary>Marks the method run every time the state is entered. Signature: <c>void Name()</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EntryAttribute : Attribute;

/// <summary>Marks the method run every time the state is exited. Signature: <c>void Name()</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ExitAttribute : Attribute;

/// <summary>
/// Marks an event handler. Signature: <c>EventResult Name(in TEvent e)</c> (return <c>Handled</c>, <c>Unhandled</c>
/// to let the parent state try, or <c>Goto&lt;TState&gt;()</c>), or <c>void Name(in TEvent e)</c> (always handled).
/// The event type is the parameter's type.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class OnAttribute : Attribute;

/// <summary>How a transition treats its source state.</summary>
public enum TransitionKind
{
    /// <summary>UML external: the source is exited (and re-entered for a self-transition or a transition to a substate).</summary>
    External = 0,

    /// <summary>UML local: when the target is a substate of the source (or the source a substate of the target), the containing state is not exited.</summary>
    Local = 1,
}

/// <summary>Common settings of declarative transitions.</summary>
public abstract class TransitionAttributeBase : Attribute
{
    /// <summary>Name (use <c>nameof</c>) of a guard method: <c>bool Name()</c> or <c>bool Name(in TEvent e)</c>. The transition fires only when it returns true.</summary>
    public string? Guard { get; set; }

    /// <summary>Name (use <c>nameof</c>) of an action method: <c>void Name()</c> or <c>void Name(in TEvent e)</c>, run after the exits and before the entries.</summary>
    public string? Action { get; set; }
}

/// <summary>
/// Declares a transition from the annotated state to <typeparamref name="TTarget"/> on <typeparamref name="TEvent"/>.
/// <typeparamref name="TTarget"/> may be a state, a <see cref="ShallowHistory{TState}"/> or <see cref="DeepHistory{TState}"/>
/// of a composite state, or a <see cref="ChoiceAttribute">choice</see>. Use <see cref="Completion"/> as the event for a completion transition.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TransitionAttribute<TEvent, TTarget> : TransitionAttributeBase
{
    /// <summary>External (default) or local.</summary>
    public TransitionKind Kind { get; set; }
}

/// <summary>Declares an internal transition: on <typeparamref name="TEvent"/> run the action without leaving the state.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InternalAttribute<TEvent> : TransitionAttributeBase;

/// <summary>Declares that the annotated state defers <typeparamref name="TEvent"/>: it is kept and offered again, in arrival order,
/// after the machine's configuration changes.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DeferAttribute<TEvent> : Attribute;

/// <summary>Marks a nested class of a state as one of its orthogonal regions. A state with regions has all of them active at once;
/// each region holds states and one <see cref="InitialAttribute">initial</see> state.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RegionAttribute : Attribute;

/// <summary>Marks a final state. When every region of a composite state is in a final state, the composite's completion transitions fire.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FinalAttribute : Attribute;

/// <summary>Marks a nested class as a choice pseudostate: transitions into it continue to the first <see cref="BranchAttribute{TTarget}"/>
/// whose guard holds, evaluated after the exits, else to the <see cref="ElseAttribute{TTarget}"/> target.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ChoiceAttribute : Attribute;

/// <summary>A guarded branch of a <see cref="ChoiceAttribute">choice</see>; branches are tried in declaration order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BranchAttribute<TTarget> : Attribute
{
    /// <summary>Name (use <c>nameof</c>) of a guard method <c>bool Name()</c> on the machine or an enclosing state.</summary>
    public required string Guard { get; set; }

    /// <summary>Optional action <c>void Name()</c> run when this branch is taken.</summary>
    public string? Action { get; set; }
}

/// <summary>The branch of a <see cref="ChoiceAttribute">choice</see> taken when no guarded branch holds. Every choice needs one.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ElseAttribute<TTarget> : Attribute
{
    /// <summary>Optional action <c>void Name()</c> run when this branch is taken.</summary>
    public string? Action { get; set; }
}

/// <summary>On a composite state: the state entered through its history when the composite was never visited
/// (default: the composite's initial state).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class HistoryDefaultAttribute<TTarget> : Attribute;

/// <summary>Transition target meaning "the substate of <typeparamref name="TState"/> that was active when it was last exited"
/// (UML shallow history), entered with its default drill-down.</summary>
/// <typeparam name="TState">A composite state.</typeparam>
public sealed class ShallowHistory<TState>
    where TState : class
{
    private ShallowHistory()
    {
    }
}

/// <summary>Transition target meaning "the innermost configuration of <typeparamref name="TState"/> that was active when it was
/// last exited" (UML deep history).</summary>
/// <typeparam name="TState">A composite state.</typeparam>
public sealed class DeepHistory<TState>
    where TState : class
{
    private DeepHistory()
    {
    }
}

/// <summary>The event of completion transitions: <c>[Transition&lt;Completion, TTarget&gt;]</c> fires as soon as the state's entry
/// has finished (for a simple state) or all of its regions reached a final state (for a composite).</summary>
public readonly record struct Completion;
