namespace Hsm.Generators.Model;

/// <summary>Everything the emitter needs to generate one machine. Value-equal: no symbols, syntax or locations.</summary>
internal sealed record MachineModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Name,
    string FullName,
    int QueueCapacity,
    int DeferredCapacity,
    EquatableArray<StateModel> States,
    EquatableArray<EventModel> Events,
    EquatableArray<SlotModel> Slots)
{
    public StateModel Root => States[0];

    public bool HasRegions => Slots.Count > 1;

    public bool UsesHistory
    {
        get
        {
            foreach (var s in States)
            {
                if (s.ShallowHistory || s.DeepHistory)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

internal enum VertexKind
{
    Root,
    Simple,
    Composite,
    Orthogonal,
    Final,
    Choice,
}

/// <summary>One state (or the machine itself at index 0, or a choice pseudostate). Ids are assigned in document pre-order,
/// so a state's descendants are exactly the ids in (Id, LastDescendant].</summary>
internal sealed record StateModel(
    int Id,
    string Name,
    string Path,
    string TypeName,
    EquatableArray<string> DeclarationChain,
    int Parent,
    int Slot,
    int Depth,
    int LastDescendant,
    VertexKind Kind,
    string? RegionName,
    int Initial,
    EquatableArray<int> RegionSlots,
    MethodRef? Entry,
    MethodRef? Exit,
    EquatableArray<ReactionModel> Reactions,
    bool EmitBase,
    string Accessibility,
    string MemberName,
    int HistoryDefault,
    bool ShallowHistory,
    bool DeepHistory,
    EquatableArray<BranchModel> Branches)
{
    public bool IsComposite => Kind is VertexKind.Composite or VertexKind.Orthogonal;

    /// <summary>The expression reaching this state's object from the machine's code.</summary>
    public string Instance => Id == 0 ? "this" : "__s_" + MemberName;
}

internal enum ReactionKind
{
    Transition,
    Internal,
    Handler,
    Defer,
}

internal enum TargetKind
{
    None,
    State,
    ShallowHistory,
    DeepHistory,
}

/// <summary>A state's reaction to an event, in priority order within the state.</summary>
/// <param name="Event">Index into <see cref="MachineModel.Events"/>.</param>
/// <param name="Target">Target vertex id (a state, a choice, or for history targets the composite).</param>
/// <param name="HandlerTargets">States a handler method's <c>Goto&lt;T&gt;()</c> calls name (precomputed paths).</param>
internal sealed record ReactionModel(
    int Event,
    ReactionKind Kind,
    int Target,
    TargetKind TargetKind,
    bool Local,
    MethodRef? Guard,
    MethodRef? Action,
    string? Handler,
    bool HandlerReturnsVoid,
    EquatableArray<int> HandlerTargets);

/// <summary>A guard, action, entry or exit method and the state object (0 = machine) that declares it.</summary>
/// <param name="Trivial">The body cannot throw or call anything (<c>Parsing/TrivialBodies</c>).</param>
/// <param name="Inline">The trivial body as code of the machine class, run in place of the call (<c>Parsing/InlineBodies</c>); null: call it.</param>
internal sealed record MethodRef(int Owner, string Name, bool TakesEvent, bool Trivial, string? Inline = null);

/// <summary>A branch of a choice pseudostate; the else branch has no guard and comes last.</summary>
internal sealed record BranchModel(int Target, TargetKind TargetKind, MethodRef? Guard, MethodRef? Action);

/// <summary>An event type the machine reacts to. The <see cref="Completion"/> pseudo-event has index 0 when present.</summary>
internal sealed record EventModel(int Index, string TypeName, string Name, bool IsValueType, bool IsCompletion)
{
    public string Field => "E" + Index;
}

/// <summary>A region with its own "active state" field: slot 0 is the machine's top region; every orthogonal region has one.
/// Plain composite states share their parent's slot.</summary>
internal sealed record SlotModel(int Index, int Owner, string? RegionName, int Initial, int First, int Last);
