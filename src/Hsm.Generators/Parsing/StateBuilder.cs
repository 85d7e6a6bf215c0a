using System.Collections.Generic;
using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Parsing;

/// <summary>A state while the parser builds it; frozen into a <see cref="StateModel"/> at the end.</summary>
internal sealed class StateBuilder
{
    public StateBuilder(int id, INamedTypeSymbol symbol, string name, string path, int parent, int slot, int depth, string? region, List<string> chain)
    {
        Id = id;
        Symbol = symbol;
        Name = name;
        Path = path;
        Parent = parent;
        Slot = slot;
        Depth = depth;
        RegionName = region;
        DeclarationChain = chain;
    }

    public int Id { get; }
    public INamedTypeSymbol Symbol { get; }
    public string Name { get; }
    public string Path { get; }
    public int Parent { get; }
    public int Slot { get; }
    public int Depth { get; }
    public string? RegionName { get; }
    public List<string> DeclarationChain { get; }
    public int LastDescendant { get; set; }
    public VertexKind Kind { get; set; } = VertexKind.Simple;
    public int Initial { get; set; }
    public List<int> Children { get; } = new();
    public List<int> RegionSlots { get; } = new();
    public MethodRef? Entry { get; set; }
    public MethodRef? Exit { get; set; }
    public List<ReactionModel> Reactions { get; } = new();
    public List<Location?> ReactionLocations { get; } = new();
    public bool EmitBase { get; set; }
    public string Accessibility { get; set; } = "internal";
    public string MemberName { get; set; } = "";
    public int HistoryDefault { get; set; }
    public bool ShallowHistory { get; set; }
    public bool DeepHistory { get; set; }
    public List<BranchModel> Branches { get; } = new();

    public StateModel Freeze(string typeName) => new(
        Id, Name, Path, typeName, DeclarationChain.ToEquatableArray(), Parent, Slot, Depth, LastDescendant, Kind, RegionName,
        Initial, RegionSlots.ToEquatableArray(), Entry, Exit, Reactions.ToEquatableArray(), EmitBase, Accessibility, MemberName,
        HistoryDefault, ShallowHistory, DeepHistory, Branches.ToEquatableArray());
}
