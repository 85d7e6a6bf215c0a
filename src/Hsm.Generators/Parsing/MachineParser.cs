using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Hsm.Generators.Diagnostics;
using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hsm.Generators.Parsing;

/// <summary>
/// Turns a <c>[StateMachine]</c> class and its nested state classes into a <see cref="MachineModel"/>.
/// Pass 1 (this file) discovers the state tree and regions; pass 2 (<c>MachineParser.Reactions.cs</c>) reads entry/exit
/// actions, transitions and handlers; pass 3 (<c>MachineParser.Checks.cs</c>) validates the whole machine.
/// </summary>
internal sealed partial class MachineParser
{
    private readonly INamedTypeSymbol _machine;
    private readonly Compilation _compilation;
    private readonly KnownSymbols _known;
    private readonly TrivialBodies _trivial;
    private readonly CancellationToken _ct;
    private readonly List<Diagnostic> _diagnostics = new();
    private readonly List<StateBuilder> _states = new();
    private readonly List<SlotModel> _slots = new();
    private readonly Dictionary<INamedTypeSymbol, int> _ids = new(SymbolEqualityComparer.Default);
    private readonly List<EventModel> _events = new();
    private readonly Dictionary<string, int> _eventIndex = new();
    private bool _hasErrors;
    private bool _hasDynamicTargets;

    private MachineParser(INamedTypeSymbol machine, Compilation compilation, CancellationToken ct)
    {
        _machine = machine;
        _compilation = compilation;
        _known = new KnownSymbols(compilation);
        _trivial = new TrivialBodies(BindingCompilation, writeInline: MachineOption("InlineTrivialBodies") is not false);
        _ct = ct;
    }

    public static ParseResult Parse(INamedTypeSymbol machine, Compilation compilation, CancellationToken ct)
    {
        var parser = new MachineParser(machine, compilation, ct);
        var model = parser.Run();
        return new ParseResult(parser._hasErrors ? null : model, parser._diagnostics.ToEquatableArray());
    }

    private MachineModel? Run()
    {
        if (!CheckMachineDeclaration())
        {
            return null;
        }

        var root = new StateBuilder(0, _machine, _machine.Name, _machine.Name, -1, 0, 0, null, new List<string>())
        {
            Kind = VertexKind.Root,
            MemberName = "Root",
        };
        _states.Add(root);
        _slots.Add(new SlotModel(0, 0, null, 0, 1, 0));
        _ids[_machine] = 0;

        DiscoverChildren(root, _machine, 0, null, new List<string>());
        root.LastDescendant = _states.Count - 1;
        _slots[0] = _slots[0] with { Initial = root.Initial, Last = root.LastDescendant };
        if (root.Children.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidMachine, _machine, _machine.Name, "has no states; nest at least one partial state class marked [Initial] in it");
            return null;
        }

        AssignMemberNames();
        foreach (var state in _states)
        {
            _ct.ThrowIfCancellationRequested();
            ReadReactions(state);
        }

        CheckMachine();
        if (_hasErrors)
        {
            return null;
        }

        var stateModels = _states.Select(s => s.Freeze(TypeName(s.Symbol))).ToEquatableArray();
        return new MachineModel(
            _machine.ContainingNamespace.IsGlobalNamespace ? null : _machine.ContainingNamespace.ToDisplayString(),
            ContainingHeaders().ToEquatableArray(),
            _machine.Name,
            TypeName(_machine),
            ReadCapacity("QueueCapacity", 64),
            ReadCapacity("DeferredCapacity", 64),
            stateModels,
            _events.ToEquatableArray(),
            _slots.ToEquatableArray());
    }

    /// <summary>The declaration headers of the types enclosing the machine, outermost first.</summary>
    private List<string> ContainingHeaders()
    {
        var containing = new List<string>();
        for (var t = _machine.ContainingType; t is not null; t = t.ContainingType)
        {
            containing.Insert(0, DeclarationHeader(t));
        }

        return containing;
    }

    /// <summary>The compilation plus the <c>State&lt;TMachine&gt;</c> bases the generator will add to state classes declared
    /// without one (pass 1 has decided which): user code in those states reads <c>Machine</c>, which binds only with the base.</summary>
    private Compilation BindingCompilation()
    {
        var missing = _states.Where(s => s.EmitBase).ToList();
        if (missing.Count == 0)
        {
            return _compilation;
        }

        var text = new System.Text.StringBuilder();
        var closers = 0;
        if (!_machine.ContainingNamespace.IsGlobalNamespace)
        {
            text.Append("namespace ").Append(_machine.ContainingNamespace.ToDisplayString()).Append(" { ");
            closers++;
        }

        foreach (var header in ContainingHeaders())
        {
            text.Append(header).Append(" { ");
            closers++;
        }

        text.Append("partial class ").Append(_machine.Name).Append(" { ");
        closers++;
        var machineType = TypeName(_machine);
        foreach (var s in missing)
        {
            foreach (var part in s.DeclarationChain.Take(s.DeclarationChain.Count - 1))
            {
                text.Append("partial class ").Append(part).Append(" { ");
            }

            text.Append("partial class ").Append(s.Name).Append(" : global::Hsm.State<").Append(machineType).Append("> { } ");
            text.Append('}', s.DeclarationChain.Count - 1);
        }

        text.Append('}', closers);
        var options = _machine.DeclaringSyntaxReferences.FirstOrDefault()?.SyntaxTree.Options as CSharpParseOptions;
        return _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(text.ToString(), options, cancellationToken: _ct));
    }

    private bool CheckMachineDeclaration()
    {
        var ok = true;
        if (_machine.TypeKind != TypeKind.Class || _machine.IsStatic || _machine.IsRecord)
        {
            Report(DiagnosticDescriptors.InvalidMachine, _machine, _machine.Name, "must be a non-static class (not a record or struct)");
            ok = false;
        }

        if (_machine.TypeParameters.Length > 0)
        {
            Report(DiagnosticDescriptors.InvalidMachine, _machine, _machine.Name, "cannot be generic; keep variable types in the machine's fields");
            ok = false;
        }

        for (var t = _machine; t is not null; t = t.ContainingType)
        {
            if (!IsPartial(t))
            {
                Report(DiagnosticDescriptors.NotPartial, t, t.Name);
                ok = false;
            }
        }

        return ok;
    }

    private void DiscoverChildren(StateBuilder parent, INamedTypeSymbol container, int slot, string? region, List<string> chain)
    {
        var initials = new List<StateBuilder>();
        var directChildren = 0;
        foreach (var nested in OrderedTypeMembers(container))
        {
            _ct.ThrowIfCancellationRequested();
            if (nested.TypeKind != TypeKind.Class || nested.IsStatic || nested.IsRecord)
            {
                continue;
            }

            var isRegion = _known.HasAttribute(nested, _known.Region);
            var looksLikeState = isRegion || (nested.IsAbstract ? KnownSymbols.HasHsmAttribute(nested) : IsPartial(nested) || _known.MentionsHsm(nested));
            if (!looksLikeState)
            {
                continue;
            }

            if (!IsPartial(nested))
            {
                Report(DiagnosticDescriptors.NotPartial, nested, nested.Name);
                continue;
            }

            if (nested.TypeParameters.Length > 0)
            {
                Report(DiagnosticDescriptors.InvalidMachine, nested, _machine.Name, $"has a generic state class '{nested.Name}'; state classes cannot be generic");
                continue;
            }

            var childChain = new List<string>(chain) { nested.Name };
            if (isRegion)
            {
                DiscoverRegion(parent, nested, region, childChain);
                continue;
            }

            directChildren++;
            var child = AddState(parent, nested, slot, region, childChain);
            if (_known.HasAttribute(nested, _known.Initial))
            {
                initials.Add(child);
            }
        }

        if (parent.RegionSlots.Count > 0 && directChildren > 0)
        {
            Report(DiagnosticDescriptors.InvalidRegion, parent.Symbol, parent.Name,
                "mixes orthogonal regions with direct substates; move every substate into a [Region] class");
        }

        if (directChildren > 0)
        {
            ResolveInitial(parent, initials, region);
        }
    }

    private void DiscoverRegion(StateBuilder owner, INamedTypeSymbol regionClass, string? enclosingRegion, List<string> chain)
    {
        if (owner.Id == 0)
        {
            Report(DiagnosticDescriptors.InvalidRegion, regionClass, regionClass.Name,
                "is declared directly in the machine; put regions inside a state (the state whose substates run in parallel)");
            return;
        }

        var slotIndex = _slots.Count;
        _slots.Add(new SlotModel(slotIndex, owner.Id, regionClass.Name, 0, _states.Count, 0));
        owner.RegionSlots.Add(slotIndex);
        owner.Kind = VertexKind.Orthogonal;

        var before = _states.Count;
        var regionInitials = new List<StateBuilder>();
        foreach (var nested in OrderedTypeMembers(regionClass))
        {
            if (nested.TypeKind != TypeKind.Class || nested.IsStatic || nested.IsRecord ||
                !(nested.IsAbstract ? KnownSymbols.HasHsmAttribute(nested) : IsPartial(nested) || _known.MentionsHsm(nested)))
            {
                continue;
            }

            if (!IsPartial(nested))
            {
                Report(DiagnosticDescriptors.NotPartial, nested, nested.Name);
                continue;
            }

            if (_known.HasAttribute(nested, _known.Region))
            {
                Report(DiagnosticDescriptors.InvalidRegion, nested, nested.Name, "is nested directly in another region; put it inside a state of that region");
                continue;
            }

            var child = AddState(owner, nested, slotIndex, regionClass.Name, new List<string>(chain) { nested.Name });
            if (_known.HasAttribute(nested, _known.Initial))
            {
                regionInitials.Add(child);
            }
        }

        if (_states.Count == before)
        {
            Report(DiagnosticDescriptors.InvalidRegion, regionClass, regionClass.Name, "contains no states; add partial state classes to it, one marked [Initial]");
        }
        else if (regionInitials.Count != 1)
        {
            Report(DiagnosticDescriptors.RegionWithoutInitial, regionClass, regionClass.Name,
                regionInitials.Count == 0 ? "" : $" (found {string.Join(", ", regionInitials.Select(s => s.Name))})");
        }

        _slots[slotIndex] = _slots[slotIndex] with
        {
            Initial = regionInitials.Count > 0 ? regionInitials[0].Id : 0,
            Last = _states.Count - 1,
        };
    }

    private StateBuilder AddState(StateBuilder parent, INamedTypeSymbol symbol, int slot, string? region, List<string> chain)
    {
        // A region's states include the region's name, so two regions may both have, say, a Done state.
        var parentPath = parent.Id == 0 ? "" : parent.Path + "." + (region is not null && slot != parent.Slot ? region + "." : "");
        var path = parentPath + symbol.Name;
        var state = new StateBuilder(_states.Count, symbol, symbol.Name, path, parent.Id, slot, parent.Depth + 1, region, chain)
        {
            Accessibility = EffectiveAccessibility(symbol),
        };
        _states.Add(state);
        _ids[symbol] = state.Id;
        parent.Children.Add(state.Id);

        if (_known.HasAttribute(symbol, _known.Choice))
        {
            state.Kind = VertexKind.Choice;
        }
        else if (_known.HasAttribute(symbol, _known.Final))
        {
            state.Kind = VertexKind.Final;
        }

        CheckBase(state);
        CheckConstructor(state);
        CheckAccessibility(state);
        DiscoverChildren(state, symbol, slot, region, chain);
        if (state.Kind == VertexKind.Simple && state.Children.Count > 0)
        {
            state.Kind = VertexKind.Composite;
        }

        state.LastDescendant = _states.Count - 1;
        return state;
    }

    private void ResolveInitial(StateBuilder parent, List<StateBuilder> initials, string? region)
    {
        if (initials.Count == 1)
        {
            parent.Initial = initials[0].Id;
            if (initials[0].Kind == VertexKind.Choice)
            {
                Report(DiagnosticDescriptors.InvalidChoice, initials[0].Symbol, initials[0].Name, "cannot be an initial state; mark a real state [Initial]");
            }

            return;
        }

        var owner = parent.Id == 0 ? $"State machine {parent.Name}" : parent.Name;
        if (initials.Count == 0)
        {
            Report(DiagnosticDescriptors.NoInitialState, parent.Symbol, owner);
        }
        else
        {
            Report(DiagnosticDescriptors.SeveralInitialStates, initials[1].Symbol, owner, string.Join(", ", initials.Select(s => s.Name)));
        }
    }

    private void CheckBase(StateBuilder state)
    {
        var baseType = state.Symbol.BaseType;
        if (baseType is null || baseType.SpecialType == SpecialType.System_Object)
        {
            state.EmitBase = true;
            return;
        }

        if (!_known.DerivesFromState(state.Symbol, out var machineArg) ||
            !SymbolEqualityComparer.Default.Equals(machineArg, _machine))
        {
            Report(DiagnosticDescriptors.WrongBase, state.Symbol, state.Name, baseType.ToDisplayString(), _machine.Name);
        }
    }

    /// <summary>The generated <c>Start()</c> does <c>new TState()</c> from the machine's code.</summary>
    private void CheckConstructor(StateBuilder state)
    {
        var symbol = state.Symbol;
        var creatable = !symbol.IsAbstract && symbol.InstanceConstructors.Any(c =>
            c.Parameters.Length == 0 && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal);
        if (!creatable)
        {
            Report(DiagnosticDescriptors.NoParameterlessConstructor, symbol, state.Name);
        }
    }

    /// <summary>A nested type that is private (or protected) to a state is out of reach of the machine's code.</summary>
    private void CheckAccessibility(StateBuilder state)
    {
        var container = state.Symbol.ContainingType;
        if (!SymbolEqualityComparer.Default.Equals(container, _machine) &&
            state.Symbol.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
        {
            Report(DiagnosticDescriptors.StateNotAccessible, state.Symbol, state.Name,
                state.Symbol.DeclaredAccessibility == Accessibility.Private ? "private" : "protected", container!.Name);
        }
    }

    private void AssignMemberNames()
    {
        var nameCounts = _states.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.Count());
        var memberNames = new HashSet<string>(_machine.GetMembers().Select(m => m.Name));
        foreach (var s in _states.Skip(1))
        {
            var unique = nameCounts[s.Name] == 1 ? s.Name : s.Path.Replace('.', '_');
            var property = unique + "State";
            s.MemberName = memberNames.Contains(property) ? unique + "StateObject" : unique;
        }
    }

    private IEnumerable<INamedTypeSymbol> OrderedTypeMembers(INamedTypeSymbol container) =>
        container.GetTypeMembers()
            .OrderBy(t => t.Locations.FirstOrDefault()?.SourceTree?.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(t => t.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0);

    private static bool IsPartial(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax decl && !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return type.DeclaringSyntaxReferences.Length > 0;
    }

    private static string EffectiveAccessibility(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return "private";
            }
        }

        return "internal";
    }

    private static string DeclarationHeader(INamedTypeSymbol type)
    {
        var keyword = type.IsRecord
            ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
            : type.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
        var name = type.Name;
        if (type.TypeParameters.Length > 0)
        {
            name += "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        }

        return "partial " + keyword + " " + name;
    }

    private static string TypeName(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    /// <summary>A user method of state <paramref name="owner"/> (0: the machine): whether its body is trivial, and that body
    /// as machine code to run in place (docs/adr/0008) unless the method is marked
    /// <c>[MethodImpl(MethodImplOptions.NoInlining)]</c> (or the machine says <c>InlineTrivialBodies = false</c>).</summary>
    private MethodRef Ref(int owner, IMethodSymbol method, bool takesEvent)
    {
        var implementation = method.PartialImplementationPart ?? method;
        var noInlining = (implementation.MethodImplementationFlags & System.Reflection.MethodImplAttributes.NoInlining) != 0;
        return new MethodRef(owner, method.Name, takesEvent, _trivial.IsTrivial(method, _ct), noInlining ? null : _trivial.Inline(method, _ct));
    }

    /// <summary>The value of the <c>[StateMachine]</c> attribute's named argument <paramref name="name"/>, or null when not given.</summary>
    private object? MachineOption(string name) =>
        _machine.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == "Hsm.StateMachineAttribute")
            .SelectMany(a => a.NamedArguments)
            .Where(arg => arg.Key == name)
            .Select(arg => arg.Value.Value)
            .FirstOrDefault();

    private int ReadCapacity(string name, int fallback)
    {
        if (MachineOption(name) is not int value)
        {
            return fallback;
        }

        if (value < 1 || value > 1_000_000)
        {
            Report(DiagnosticDescriptors.InvalidMachine, _machine, _machine.Name, $"has {name} = {value}; use a value between 1 and 1000000");
            return fallback;
        }

        return value;
    }

    private void Report(DiagnosticDescriptor descriptor, ISymbol symbol, params object[] args) =>
        Report(descriptor, symbol.Locations.FirstOrDefault(), args);

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args)
    {
        _diagnostics.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));
        if (descriptor.DefaultSeverity == DiagnosticSeverity.Error)
        {
            _hasErrors = true;
        }
    }
}
