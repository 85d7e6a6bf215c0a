using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Hsm;

/// <summary>Implemented by the generated part of every state class: gives the state's id within its machine.</summary>
/// <typeparam name="TMachine">The machine the state belongs to.</typeparam>
public interface IState<TMachine>
    where TMachine : class
{
    /// <summary>The state's generated id (1-based, in declaration order).</summary>
    static abstract int StateId { get; }
}

/// <summary>
/// Base class of states (added by the generator when a state class declares no base). A state object lives as long as its
/// machine, so its fields can hold data that belongs to the state; <see cref="Machine"/> reaches the machine's data.
/// </summary>
/// <typeparam name="TMachine">The machine the state belongs to.</typeparam>
public abstract class State<TMachine>
    where TMachine : class
{
    /// <summary>The machine this state belongs to.</summary>
    protected TMachine Machine { get; private set; } = null!;

    /// <summary>Result: the event was consumed without a transition.</summary>
    protected static EventResult Handled => EventResult.Handled;

    /// <summary>Result: not handled here; the parent state is offered the event.</summary>
    protected static EventResult Unhandled => EventResult.Unhandled;

    /// <summary>Result: transition from this state to <typeparamref name="TTarget"/> (external semantics).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static EventResult Goto<TTarget>()
        where TTarget : IState<TMachine> => EventResult.Transition(TTarget.StateId);

    /// <summary>Result: local transition to <typeparamref name="TTarget"/>: when the target is a substate of this state (or this state a
    /// substate of the target) the containing state is not exited and re-entered (UML local transition).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static EventResult GotoLocal<TTarget>()
        where TTarget : IState<TMachine> => EventResult.LocalTransition(TTarget.StateId);

    /// <summary>Connects the state to its machine; called once by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void AttachMachine(TMachine machine) => Machine = machine;
}
