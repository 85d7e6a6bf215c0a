using System.Runtime.CompilerServices;

namespace Hsm;

/// <summary>What an event handler decided: handled, not handled (let the parent try), or a transition to a state.</summary>
public readonly struct EventResult : IEquatable<EventResult>
{
    // Low three bits: 0 unhandled, 1 handled, 2 external transition, 6 local transition; the target state id above them.
    private readonly int _value;

    private EventResult(int value) => _value = value;

    /// <summary>The event was consumed; the machine stays in its state (an internal transition).</summary>
    public static EventResult Handled => new(1);

    /// <summary>The state does not handle the event; its parent state is offered it next.</summary>
    public static EventResult Unhandled => default;

    /// <summary>A transition to the state with the given generated id. Use <c>Goto&lt;TState&gt;()</c> in state classes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EventResult Transition(int targetStateId) => new((targetStateId << 3) | 2);

    /// <summary>A local transition (the containing state is not exited) to the state with the given generated id.
    /// Use <c>GotoLocal&lt;TState&gt;()</c> in state classes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EventResult LocalTransition(int targetStateId) => new((targetStateId << 3) | 6);

    /// <summary>True when the event was handled without a transition.</summary>
    public bool IsHandled => _value == 1;

    /// <summary>True when the handler declined the event.</summary>
    public bool IsUnhandled => _value == 0;

    /// <summary>True when the handler asked for a transition.</summary>
    public bool IsTransition => (_value & 3) == 2;

    /// <summary>True for a local transition.</summary>
    public bool IsLocal => (_value & 7) == 6;

    /// <summary>The generated id of the transition's target (valid when <see cref="IsTransition"/>).</summary>
    public int TargetStateId => _value >> 3;

    /// <summary>The raw encoding, for generated dispatch code.</summary>
    public int RawValue => _value;

    /// <inheritdoc />
    public bool Equals(EventResult other) => _value == other._value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EventResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value;

    /// <summary>Value equality.</summary>
    public static bool operator ==(EventResult left, EventResult right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(EventResult left, EventResult right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() =>
        IsTransition ? (IsLocal ? $"LocalTransition({TargetStateId})" : $"Transition({TargetStateId})") : IsHandled ? "Handled" : "Unhandled";
}
