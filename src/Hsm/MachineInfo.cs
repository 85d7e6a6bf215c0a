namespace Hsm;

/// <summary>What kind of vertex a state is.</summary>
public enum StateKind
{
    /// <summary>A state without substates.</summary>
    Simple,

    /// <summary>A state with substates in one region.</summary>
    Composite,

    /// <summary>A state with two or more orthogonal regions.</summary>
    Orthogonal,

    /// <summary>A final state.</summary>
    Final,

    /// <summary>A choice pseudostate.</summary>
    Choice,
}

/// <summary>Static description of one state.</summary>
/// <param name="Id">Generated id (1-based); 0 is the machine itself.</param>
/// <param name="Name">The class name.</param>
/// <param name="Path">Dotted path from the machine, e.g. <c>Active.Idle</c>.</param>
/// <param name="ParentId">The parent state's id, or 0 for a top-level state.</param>
/// <param name="Kind">The state's kind.</param>
/// <param name="Region">Name of the orthogonal region holding the state, or null.</param>
public sealed record StateInfo(int Id, string Name, string Path, int ParentId, StateKind Kind, string? Region);

/// <summary>Static description of a machine: its states, in id order (index 0 is the machine itself).</summary>
public sealed class MachineInfo
{
    /// <summary>Creates the description (called by generated code).</summary>
    public MachineInfo(string name, IReadOnlyList<StateInfo> states, IReadOnlyList<string> eventTypes, string mermaid)
    {
        Name = name;
        States = states;
        EventTypes = eventTypes;
        Mermaid = mermaid;
    }

    /// <summary>The machine's type name.</summary>
    public string Name { get; }

    /// <summary>All states by id; <c>States[0]</c> stands for the machine.</summary>
    public IReadOnlyList<StateInfo> States { get; }

    /// <summary>The event types the machine handles, defers or completes on.</summary>
    public IReadOnlyList<string> EventTypes { get; }

    /// <summary>The machine as a Mermaid <c>stateDiagram-v2</c>.</summary>
    public string Mermaid { get; }

    /// <summary>Finds a state by name or dotted path.</summary>
    public StateInfo? Find(string nameOrPath)
    {
        foreach (var s in States)
        {
            if (s.Path == nameOrPath)
            {
                return s;
            }
        }

        StateInfo? match = null;
        foreach (var s in States)
        {
            if (s.Id != 0 && s.Name == nameOrPath)
            {
                if (match is not null)
                {
                    throw new ArgumentException($"State name '{nameOrPath}' is ambiguous in '{Name}'; use its path ('{match.Path}' or '{s.Path}').");
                }

                match = s;
            }
        }

        return match;
    }

    /// <summary>True when <paramref name="ancestorId"/> is <paramref name="stateId"/> or one of its ancestors.</summary>
    public bool IsAncestorOrSelf(int ancestorId, int stateId)
    {
        for (var s = stateId; s != 0; s = States[s].ParentId)
        {
            if (s == ancestorId)
            {
                return true;
            }
        }

        return ancestorId == 0;
    }
}
