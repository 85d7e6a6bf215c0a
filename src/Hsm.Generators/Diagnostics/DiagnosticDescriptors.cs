using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are stable; each has a page at docs/diagnostics/&lt;id&gt;.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Hsm";

    private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true,
            helpLinkUri: $"https://github.com/hsmraft/hsmraft/blob/main/docs/diagnostics/{id}.md");

    public static readonly DiagnosticDescriptor NoInitialState = Make(
        "HSM0001", "Composite state has no initial state",
        "'{0}' has substates but none is marked [Initial]; mark the substate entered by default with [Initial]");

    public static readonly DiagnosticDescriptor SeveralInitialStates = Make(
        "HSM0002", "Composite state has several initial states",
        "'{0}' has more than one [Initial] substate ({1}); keep exactly one");

    public static readonly DiagnosticDescriptor TargetNotInMachine = Make(
        "HSM0003", "Transition target is not a state of this machine",
        "'{0}' is not a state of state machine '{1}'; a transition target must be a state class nested in the machine");

    public static readonly DiagnosticDescriptor UnreachableState = Make(
        "HSM0004", "State is unreachable",
        "State '{0}' can never be entered: it is not an initial state and no transition targets it", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WrongSignature = Make(
        "HSM0005", "Method has the wrong signature",
        "'{0}' must be declared as {1}");

    public static readonly DiagnosticDescriptor NotPartial = Make(
        "HSM0006", "State machine or state class is not partial",
        "'{0}' must be declared 'partial' so the generator can complete it");

    public static readonly DiagnosticDescriptor UnreachableReaction = Make(
        "HSM0007", "Reaction can never run",
        "State '{0}' already reacts to '{1}' unconditionally, so this later reaction can never run; add a guard to the earlier one or remove one");

    public static readonly DiagnosticDescriptor EventNotHandled = Make(
        "HSM0008", "Event type is handled nowhere",
        "No state of '{0}' handles events of type '{1}'; add an [On] handler or a [Transition<{1}, ...>] to a state");

    public static readonly DiagnosticDescriptor MethodNotFound = Make(
        "HSM0009", "Guard or action method not found",
        "No method named '{0}' was found on '{1}' or its enclosing states; use nameof(...) of a method declared there");

    public static readonly DiagnosticDescriptor WrongBase = Make(
        "HSM0010", "State class has the wrong base class",
        "State '{0}' derives from '{1}', which does not derive from Hsm.State<{2}>; remove the base class or derive it from Hsm.State<{2}>");

    public static readonly DiagnosticDescriptor InvalidMachine = Make(
        "HSM0011", "Invalid state machine class",
        "State machine '{0}' {1}");

    public static readonly DiagnosticDescriptor HistoryOfSimpleState = Make(
        "HSM0012", "History of a state without substates",
        "'{0}' has no substates, so it has no history to return to; target a composite state's history");

    public static readonly DiagnosticDescriptor RegionWithoutInitial = Make(
        "HSM0013", "Region has no initial state",
        "Region '{0}' must contain exactly one state marked [Initial]{1}");

    public static readonly DiagnosticDescriptor ChoiceWithoutElse = Make(
        "HSM0014", "Choice has no else branch",
        "Choice '{0}' needs an [Else<TTarget>] branch so a target is always chosen");

    public static readonly DiagnosticDescriptor DeferredNeverHandled = Make(
        "HSM0015", "Deferred event is never handled",
        "'{0}' defers '{1}' but no state of the machine handles it, so it would wait forever", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidRegion = Make(
        "HSM0016", "Invalid region",
        "Region '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidFinalState = Make(
        "HSM0017", "Invalid final state",
        "Final state '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidChoice = Make(
        "HSM0018", "Invalid choice",
        "Choice '{0}' {1}");

    public static readonly DiagnosticDescriptor DuplicateEntryOrExit = Make(
        "HSM0019", "Several entry or exit actions",
        "State '{0}' declares more than one [{1}] method; merge them into one");

    public static readonly DiagnosticDescriptor InvalidHistoryDefault = Make(
        "HSM0020", "Invalid history default",
        "The history default of '{0}' must be a substate of it; '{1}' is not");
}
