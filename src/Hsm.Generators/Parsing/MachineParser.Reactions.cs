using System.Collections.Generic;
using System.Linq;
using Hsm.Generators.Diagnostics;
using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hsm.Generators.Parsing;

/// <summary>Pass 2: entry/exit actions, declarative transitions, handlers, deferrals, history defaults and choice branches.</summary>
internal sealed partial class MachineParser
{
    private const int CompletionEvent = -1;

    private void ReadReactions(StateBuilder state)
    {
        ReadActions(state);

        var handlers = new List<(ReactionModel, Location?)>();
        var deferrals = new List<(ReactionModel, Location?)>();
        foreach (var attribute in state.Symbol.GetAttributes())
        {
            var cls = attribute.AttributeClass;
            if (KnownSymbols.Is(cls, _known.Transition))
            {
                ReadTransition(state, attribute, cls!.TypeArguments[0], cls.TypeArguments[1]);
            }
            else if (KnownSymbols.Is(cls, _known.Internal))
            {
                var evt = EventIndex(cls!.TypeArguments[0]);
                AddReaction(state, AttributeLocation(attribute, state.Symbol), new ReactionModel(evt, ReactionKind.Internal, 0, TargetKind.None, false,
                    Method(state, attribute, "Guard", cls.TypeArguments[0], isGuard: true),
                    Method(state, attribute, "Action", cls.TypeArguments[0], isGuard: false),
                    null, false, EquatableArray<int>.Empty));
            }
            else if (KnownSymbols.Is(cls, _known.Defer))
            {
                deferrals.Add((new ReactionModel(EventIndex(cls!.TypeArguments[0]), ReactionKind.Defer, 0, TargetKind.None, false,
                    null, null, null, false, EquatableArray<int>.Empty), AttributeLocation(attribute, state.Symbol)));
            }
            else if (KnownSymbols.Is(cls, _known.HistoryDefault))
            {
                ReadHistoryDefault(state, attribute, cls!.TypeArguments[0]);
            }
            else if (KnownSymbols.Is(cls, _known.Branch) || KnownSymbols.Is(cls, _known.Else))
            {
                ReadBranch(state, attribute, cls!);
            }
        }

        foreach (var method in OrderedMethods(state.Symbol))
        {
            if (_known.HasAttribute(method, _known.On))
            {
                var handler = ReadHandler(state, method);
                if (handler is not null)
                {
                    handlers.Add((handler, method.Locations.FirstOrDefault()));
                }
            }
        }

        foreach (var (reaction, location) in handlers.Concat(deferrals))
        {
            AddReaction(state, location, reaction);
        }

        CheckReactionOrder(state);
    }

    private void ReadActions(StateBuilder state)
    {
        foreach (var method in OrderedMethods(state.Symbol))
        {
            foreach (var (attribute, label) in new[] { (_known.Entry, "Entry"), (_known.Exit, "Exit") })
            {
                if (!_known.HasAttribute(method, attribute))
                {
                    continue;
                }

                if (method.IsStatic || !method.ReturnsVoid || method.Parameters.Length != 0 || method.IsGenericMethod)
                {
                    Report(DiagnosticDescriptors.WrongSignature, method, $"{state.Name}.{method.Name}", $"an instance method 'void {method.Name}()' ([{label}] actions take no parameters)");
                    continue;
                }

                if ((label == "Entry" ? state.Entry : state.Exit) is not null)
                {
                    Report(DiagnosticDescriptors.DuplicateEntryOrExit, method, state.Name, label);
                    continue;
                }

                if (label == "Entry")
                {
                    state.Entry = Ref(state.Id, method, takesEvent: false);
                }
                else
                {
                    state.Exit = Ref(state.Id, method, takesEvent: false);
                }
            }
        }
    }

    private void ReadTransition(StateBuilder state, AttributeData attribute, ITypeSymbol eventType, ITypeSymbol targetType)
    {
        var location = AttributeLocation(attribute, state.Symbol);
        if (!ResolveTarget(targetType, location, out var target, out var targetKind))
        {
            return;
        }

        var evt = EventIndex(eventType);
        var local = attribute.NamedArguments.Any(a => a.Key == "Kind" && a.Value.Value is int k && k == 1);
        var isCompletion = evt == CompletionEvent;
        AddReaction(state, location, new ReactionModel(evt, ReactionKind.Transition, target, targetKind, local,
            Method(state, attribute, "Guard", isCompletion ? null : eventType, isGuard: true),
            Method(state, attribute, "Action", isCompletion ? null : eventType, isGuard: false),
            null, false, EquatableArray<int>.Empty));
    }

    private ReactionModel? ReadHandler(StateBuilder state, IMethodSymbol method)
    {
        var returnsResult = KnownSymbols.Is(method.ReturnType, _known.EventResult);
        if (method.IsStatic || method.IsGenericMethod || method.Parameters.Length != 1 ||
            !(returnsResult || method.ReturnsVoid) ||
            method.Parameters[0].RefKind is not (RefKind.None or RefKind.In) ||
            KnownSymbols.Is(method.Parameters[0].Type, _known.Completion))
        {
            Report(DiagnosticDescriptors.WrongSignature, method, $"{state.Name}.{method.Name}",
                $"an instance method 'EventResult {method.Name}(in TEvent e)' or 'void {method.Name}(in TEvent e)' with one event parameter (completion transitions use [Transition<Completion, TTarget>])");
            return null;
        }

        var evt = EventIndex(method.Parameters[0].Type);
        var targets = returnsResult ? ScanGotoTargets(method) : EquatableArray<int>.Empty;
        return new ReactionModel(evt, ReactionKind.Handler, 0, TargetKind.None, false, null, null, method.Name, method.ReturnsVoid, targets);
    }

    /// <summary>Finds the states named by <c>Goto&lt;T&gt;()</c> and <c>GotoLocal&lt;T&gt;()</c> in a handler's body so their paths can be
    /// precomputed; each is encoded as <c>id * 2 + (local ? 1 : 0)</c>.
    /// Targets chosen some other way still work through the generated dynamic transition.</summary>
    private EquatableArray<int> ScanGotoTargets(IMethodSymbol method)
    {
        var targets = new SortedSet<int>();
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var node = reference.GetSyntax(_ct);
            SemanticModel? model = null;
            foreach (var name in node.DescendantNodes().OfType<GenericNameSyntax>())
            {
                var local = name.Identifier.ValueText == "GotoLocal";
                if (!(local || name.Identifier.ValueText == "Goto") || name.TypeArgumentList.Arguments.Count != 1)
                {
                    continue;
                }

                model ??= _compilation.GetSemanticModel(node.SyntaxTree);
                var type = model.GetTypeInfo(name.TypeArgumentList.Arguments[0], _ct).Type;
                if (type is INamedTypeSymbol named && _ids.TryGetValue(named, out var id) && id != 0)
                {
                    targets.Add((id * 2) + (local ? 1 : 0));
                }
                else
                {
                    _hasDynamicTargets = true;
                }
            }

            if (node.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => i.Expression.ToString().EndsWith("Transition", System.StringComparison.Ordinal)))
            {
                _hasDynamicTargets = true;
            }
        }

        return targets.ToEquatableArray();
    }

    private static void AddReaction(StateBuilder state, Location? location, ReactionModel reaction)
    {
        state.Reactions.Add(reaction);
        state.ReactionLocations.Add(location);
    }

    private void ReadHistoryDefault(StateBuilder state, AttributeData attribute, ITypeSymbol targetType)
    {
        if (targetType is INamedTypeSymbol named && _ids.TryGetValue(named, out var id) && id > state.Id && id <= state.LastDescendant)
        {
            state.HistoryDefault = id;
            return;
        }

        Report(DiagnosticDescriptors.InvalidHistoryDefault, AttributeLocation(attribute, state.Symbol), state.Name, targetType.Name);
    }

    private void ReadBranch(StateBuilder state, AttributeData attribute, INamedTypeSymbol cls)
    {
        var location = AttributeLocation(attribute, state.Symbol);
        if (state.Kind != VertexKind.Choice)
        {
            Report(DiagnosticDescriptors.InvalidChoice, location, state.Name, "has [Branch]/[Else] but is not marked [Choice]; mark it [Choice] or declare transitions with [Transition<TEvent, TTarget>]");
            return;
        }

        if (!ResolveTarget(cls.TypeArguments[0], location, out var target, out var kind))
        {
            return;
        }

        var isElse = KnownSymbols.Is(cls, _known.Else);
        var guard = isElse ? null : Method(state, attribute, "Guard", null, isGuard: true);
        var action = Method(state, attribute, "Action", null, isGuard: false);
        if (isElse && state.Branches.Any(b => b.Guard is null))
        {
            Report(DiagnosticDescriptors.InvalidChoice, location, state.Name, "has more than one [Else] branch; keep one");
            return;
        }

        state.Branches.Add(new BranchModel(target, kind, guard, action));
    }

    private bool ResolveTarget(ITypeSymbol type, Location? location, out int target, out TargetKind kind)
    {
        target = 0;
        kind = TargetKind.State;
        var named = type as INamedTypeSymbol;
        var isShallow = KnownSymbols.Is(named, _known.ShallowHistory);
        if (isShallow || KnownSymbols.Is(named, _known.DeepHistory))
        {
            kind = isShallow ? TargetKind.ShallowHistory : TargetKind.DeepHistory;
            named = named!.TypeArguments[0] as INamedTypeSymbol;
        }

        if (named is null || !_ids.TryGetValue(named, out target) || target == 0)
        {
            Report(DiagnosticDescriptors.TargetNotInMachine, location, type.ToDisplayString(), _machine.Name);
            return false;
        }

        if (kind != TargetKind.State)
        {
            var composite = _states[target];
            if (composite.Children.Count == 0 && composite.RegionSlots.Count == 0)
            {
                Report(DiagnosticDescriptors.HistoryOfSimpleState, location, composite.Name);
                return false;
            }

            if (kind == TargetKind.ShallowHistory)
            {
                composite.ShallowHistory = true;
            }
            else
            {
                composite.DeepHistory = true;
            }
        }

        return true;
    }

    /// <summary>Resolves a guard or action named in an attribute, searching the state and then its enclosing states.</summary>
    private MethodRef? Method(StateBuilder state, AttributeData attribute, string argument, ITypeSymbol? eventType, bool isGuard)
    {
        var name = attribute.NamedArguments.FirstOrDefault(a => a.Key == argument).Value.Value as string;
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var location = AttributeLocation(attribute, state.Symbol);
        var expected = isGuard ? "bool" : "void";
        var eventParam = eventType is null ? "" : $"' or '{expected} {name}(in {eventType.Name} e)";
        for (var owner = state; owner is not null; owner = owner.Parent < 0 ? null : _states[owner.Parent])
        {
            var candidates = owner.Symbol.GetMembers(name!).OfType<IMethodSymbol>().ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            foreach (var m in candidates)
            {
                var returnsOk = isGuard ? m.ReturnType.SpecialType == SpecialType.System_Boolean : m.ReturnsVoid;
                if (m.IsStatic || m.IsGenericMethod || !returnsOk)
                {
                    continue;
                }

                if (m.Parameters.Length == 0)
                {
                    return Ref(owner.Id, m, takesEvent: false);
                }

                if (eventType is not null && m.Parameters.Length == 1 &&
                    SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, eventType) &&
                    m.Parameters[0].RefKind is RefKind.None or RefKind.In)
                {
                    return Ref(owner.Id, m, takesEvent: true);
                }
            }

            Report(DiagnosticDescriptors.WrongSignature, location, $"{owner.Name}.{name}", $"an instance method '{expected} {name}(){eventParam}'");
            return null;
        }

        Report(DiagnosticDescriptors.MethodNotFound, location, name!, state.Name);
        return null;
    }

    private int EventIndex(ITypeSymbol type)
    {
        if (KnownSymbols.Is(type, _known.Completion))
        {
            return CompletionEvent;
        }

        var name = TypeName(type);
        if (!_eventIndex.TryGetValue(name, out var index))
        {
            index = _events.Count;
            _eventIndex[name] = index;
            _events.Add(new EventModel(index, name, type.Name, type.IsValueType, false));
        }

        return index;
    }

    private static IEnumerable<IMethodSymbol> OrderedMethods(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.MethodKind == MethodKind.Ordinary)
            .OrderBy(m => m.Locations.FirstOrDefault()?.SourceTree?.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0);

    private static Location? AttributeLocation(AttributeData attribute, ISymbol fallback) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? fallback.Locations.FirstOrDefault();
}
