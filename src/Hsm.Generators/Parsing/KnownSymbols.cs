using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Parsing;

/// <summary>The Hsm runtime types the parser recognises, resolved once per compilation.</summary>
internal sealed class KnownSymbols
{
    public KnownSymbols(Compilation compilation)
    {
        INamedTypeSymbol? Get(string name) => compilation.GetTypeByMetadataName(name);
        State = Get("Hsm.State`1");
        EventResult = Get("Hsm.EventResult");
        Completion = Get("Hsm.Completion");
        Initial = Get("Hsm.InitialAttribute");
        Entry = Get("Hsm.EntryAttribute");
        Exit = Get("Hsm.ExitAttribute");
        On = Get("Hsm.OnAttribute");
        Transition = Get("Hsm.TransitionAttribute`2");
        Internal = Get("Hsm.InternalAttribute`1");
        Defer = Get("Hsm.DeferAttribute`1");
        Region = Get("Hsm.RegionAttribute");
        Final = Get("Hsm.FinalAttribute");
        Choice = Get("Hsm.ChoiceAttribute");
        Branch = Get("Hsm.BranchAttribute`1");
        Else = Get("Hsm.ElseAttribute`1");
        HistoryDefault = Get("Hsm.HistoryDefaultAttribute`1");
        ShallowHistory = Get("Hsm.ShallowHistory`1");
        DeepHistory = Get("Hsm.DeepHistory`1");
    }

    public INamedTypeSymbol? State { get; }
    public INamedTypeSymbol? EventResult { get; }
    public INamedTypeSymbol? Completion { get; }
    public INamedTypeSymbol? Initial { get; }
    public INamedTypeSymbol? Entry { get; }
    public INamedTypeSymbol? Exit { get; }
    public INamedTypeSymbol? On { get; }
    public INamedTypeSymbol? Transition { get; }
    public INamedTypeSymbol? Internal { get; }
    public INamedTypeSymbol? Defer { get; }
    public INamedTypeSymbol? Region { get; }
    public INamedTypeSymbol? Final { get; }
    public INamedTypeSymbol? Choice { get; }
    public INamedTypeSymbol? Branch { get; }
    public INamedTypeSymbol? Else { get; }
    public INamedTypeSymbol? HistoryDefault { get; }
    public INamedTypeSymbol? ShallowHistory { get; }
    public INamedTypeSymbol? DeepHistory { get; }

    public static bool Is(ISymbol? symbol, INamedTypeSymbol? known) =>
        symbol is INamedTypeSymbol named && known is not null &&
        SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, known);

    public bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        foreach (var a in symbol.GetAttributes())
        {
            if (Is(a.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the type or any of its members carries an Hsm attribute (so it is meant to be a state).</summary>
    public bool MentionsHsm(INamedTypeSymbol type)
    {
        foreach (var a in type.GetAttributes())
        {
            if (a.AttributeClass?.ContainingNamespace?.ToDisplayString() == "Hsm")
            {
                return true;
            }
        }

        foreach (var m in type.GetMembers())
        {
            if (m is IMethodSymbol method && (HasAttribute(method, Entry) || HasAttribute(method, Exit) || HasAttribute(method, On)))
            {
                return true;
            }
        }

        return DerivesFromState(type, out _);
    }

    public bool DerivesFromState(INamedTypeSymbol type, out INamedTypeSymbol? machineArgument)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (Is(t, State))
            {
                machineArgument = t.TypeArguments[0] as INamedTypeSymbol;
                return true;
            }
        }

        machineArgument = null;
        return false;
    }
}
