using System.Collections.Generic;
using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>Per-state entry, exit and default-entry methods, history, and the table-driven helpers used where the active
/// configuration is only known at run time (exiting other regions, handler targets not visible at compile time).</summary>
internal sealed partial class Emitter
{
    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
    private const string NoInline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]";

    private void EmitStateMethods()
    {
        foreach (var s in RealStates)
        {
            EmitEnter(s, quiet: false);
            EmitExit(s, quiet: false);
            if (!_observed && _quietEnters.Contains(s.Id))
            {
                EmitEnter(s, quiet: true);
            }

            if (!_observed && _quietExits.Contains(s.Id))
            {
                EmitExit(s, quiet: true);
            }

            if (s.IsComposite)
            {
                _w.Line();
                _w.Line(Inline);
                _w.Open($"private void __Init_{s.Id}{_o}()");
                if (s.Kind == VertexKind.Orthogonal)
                {
                    foreach (var r in s.RegionSlots)
                    {
                        _w.Line($"__InitSlot_{r}{_o}();");
                    }
                }
                else
                {
                    Hook($"if (__observer != null) __ObsInitial({s.Id}, {s.Initial});");
                    EmitDefaultEntry(s.Initial);
                }

                _w.Close();
            }
        }

        foreach (var slot in M.Slots)
        {
            _w.Line();
            _w.Line(Inline);
            _w.Open($"private void __InitSlot_{slot.Index}{_o}()");
            Hook($"if (__observer != null) __ObsInitial({slot.Owner}, {slot.Initial});");
            EmitDefaultEntry(slot.Initial);
            _w.Close();
        }
    }

    private void EmitDefaultEntry(int initial)
    {
        _w.Line($"__Enter_{initial}{_o}();");
        if (S(initial).IsComposite)
        {
            _w.Line($"__Init_{initial}{_o}();");
        }
    }

    /// <param name="quiet">The variant for quiet transitions: the caller sets the active-state field once at the end.</param>
    private void EmitEnter(StateModel s, bool quiet)
    {
        _w.Line();
        _w.Line(Inline);
        _w.Open($"private void __Enter_{s.Id}{(quiet ? "__q" : _o)}()");
        if (!quiet)
        {
            _w.Line($"__a{s.Slot} = {s.Id};");
        }

        if (s.Kind == VertexKind.Orthogonal)
        {
            _w.Line($"__epoch{s.Id}++;");
        }

        if (s.Entry is not null)
        {
            EmitCall(s.Entry, HsmActionKindEntry, null);
        }

        Hook($"if (__observer != null) __ObsEntry({s.Id});");
        if (s.Kind == VertexKind.Simple && HasCompletion(s))
        {
            _w.Line($"__PushCompletion({s.Id});");
        }

        if (s.Kind == VertexKind.Final)
        {
            EmitFinalEntered(s);
        }

        _w.Close();
    }

    private void EmitFinalEntered(StateModel final)
    {
        var owner = S(final.Parent);
        if (owner.Id == 0)
        {
            _w.Line("__terminated = true;");
            return;
        }

        if (!HasCompletion(owner))
        {
            return;
        }

        if (owner.Kind == VertexKind.Orthogonal)
        {
            // A region is complete when its own final state (not one nested deeper) is active.
            var all = string.Join(" && ", owner.RegionSlots.Select(r => $"__kind[__a{r}] == {VertexKindToStateKind(VertexKind.Final)} && __parent[__a{r}] == {owner.Id}"));
            _w.Line($"if ({all}) __PushCompletion({owner.Id});");
        }
        else
        {
            _w.Line($"__PushCompletion({owner.Id});");
        }
    }

    private void EmitExit(StateModel s, bool quiet)
    {
        _w.Line();
        _w.Line(Inline);
        _w.Open($"private void __Exit_{s.Id}{(quiet ? "__q" : _o)}()");
        if (s.Exit is not null)
        {
            EmitCall(s.Exit, HsmActionKindExit, null);
        }

        if (s.Kind is VertexKind.Simple or VertexKind.Final or VertexKind.Orthogonal)
        {
            for (var a = s.Parent; a > 0 && S(a).Slot == s.Slot; a = S(a).Parent)
            {
                if (S(a).Kind == VertexKind.Composite && (S(a).ShallowHistory || S(a).DeepHistory))
                {
                    _w.Line($"__hist_{a} = {s.Id};");
                }
            }

            if (SlotNeedsHistory(s.Slot))
            {
                _w.Line($"__hslot_{s.Slot} = {s.Id};");
            }
        }

        var parent = S(s.Parent);
        if (!quiet)
        {
            _w.Line($"__a{s.Slot} = {(parent.Id != 0 && parent.Slot == s.Slot ? parent.Id : 0)};");
        }

        Hook($"if (__observer != null) __ObsExit({s.Id});");
        _w.Close();
    }

    private bool HasCompletion(StateModel s) => s.Reactions.Any(r => r.Event < 0);

    /// <summary>A region slot records its innermost active state on exit when its owner has history or an ancestor of the
    /// owner has deep history.</summary>
    private bool SlotNeedsHistory(int slot)
    {
        if (slot == 0)
        {
            return false;
        }

        var owner = S(M.Slots[slot].Owner);
        if (owner.ShallowHistory || owner.DeepHistory)
        {
            return true;
        }

        for (var a = owner.Parent; a > 0; a = S(a).Parent)
        {
            if (S(a).DeepHistory)
            {
                return true;
            }
        }

        return false;
    }

    private void EmitHistory()
    {
        foreach (var s in M.States.Where(s => s.Kind == VertexKind.Composite && (s.ShallowHistory || s.DeepHistory)))
        {
            _w.Line();
            if (!_observed)
            {
                _w.Line($"private int __hist_{s.Id};");
            }

            var leaves = RecordableStates(s.Id + 1, s.LastDescendant, s.Slot).ToList();
            if (s.ShallowHistory)
            {
                _w.Open($"private void __Restore_{s.Id}_Shallow{_o}()");
                EmitShallowSwitch($"__hist_{s.Id}", s.Id, leaves, () => EmitHistoryDefault(s));
                _w.Close();
            }

            if (s.DeepHistory)
            {
                _w.Open($"private void __Restore_{s.Id}_Deep{_o}()");
                EmitDeepSwitch($"__hist_{s.Id}", s.Id, leaves, () => EmitHistoryDefault(s));
                _w.Close();
            }
        }

        foreach (var s in M.States.Where(s => s.Kind == VertexKind.Orthogonal && (s.ShallowHistory || s.DeepHistory)))
        {
            foreach (var variant in new[] { "Shallow", "Deep" })
            {
                if (variant == "Shallow" ? s.ShallowHistory : s.DeepHistory)
                {
                    _w.Open($"private void __Restore_{s.Id}_{variant}{_o}()");
                    foreach (var r in s.RegionSlots)
                    {
                        _w.Line($"__RestoreSlot_{r}_{variant}{_o}();");
                    }

                    _w.Close();
                }
            }
        }

        foreach (var slot in M.Slots.Where(sl => SlotNeedsHistory(sl.Index)))
        {
            var leaves = RecordableStates(slot.First, slot.Last, slot.Index).ToList();
            _w.Line();
            if (!_observed)
            {
                _w.Line($"private int __hslot_{slot.Index};");
            }

            _w.Open($"private void __RestoreSlot_{slot.Index}_Shallow{_o}()");
            EmitShallowSwitch($"__hslot_{slot.Index}", slot.Owner, leaves, () => _w.Line($"__InitSlot_{slot.Index}{_o}();"));
            _w.Close();
            _w.Open($"private void __RestoreSlot_{slot.Index}_Deep{_o}()");
            EmitDeepSwitch($"__hslot_{slot.Index}", slot.Owner, leaves, () => _w.Line($"__InitSlot_{slot.Index}{_o}();"));
            _w.Close();
        }
    }

    /// <summary>States that can be recorded as the innermost active state of a slot within an id range.</summary>
    private IEnumerable<StateModel> RecordableStates(int first, int last, int slot) =>
        M.States.Where(x => x.Id >= first && x.Id <= last && x.Slot == slot &&
                            x.Kind is VertexKind.Simple or VertexKind.Final or VertexKind.Orthogonal);

    private void EmitHistoryDefault(StateModel composite)
    {
        if (composite.HistoryDefault == 0)
        {
            _w.Line($"__Init_{composite.Id}{_o}();");
        }
        else
        {
            EmitEntries(composite.Id, composite.HistoryDefault, TargetKind.State, null);
        }
    }

    private void EmitShallowSwitch(string field, int owner, List<StateModel> leaves, System.Action emitDefault)
    {
        _w.Open($"switch ({field})");
        foreach (var group in leaves.GroupBy(l => ChildOnPath(owner, l.Id)))
        {
            foreach (var leaf in group)
            {
                _w.Line($"case {leaf.Id}:");
            }

            _w.Open();
            EmitDefaultEntry(group.Key);
            _w.Line("break;");
            _w.Close();
        }

        _w.Line("default:");
        _w.Open();
        emitDefault();
        _w.Line("break;");
        _w.Close();
        _w.Close();
    }

    private void EmitDeepSwitch(string field, int owner, List<StateModel> leaves, System.Action emitDefault)
    {
        _w.Open($"switch ({field})");
        foreach (var leaf in leaves)
        {
            _w.Open($"case {leaf.Id}:");
            var path = new List<int>();
            for (var x = leaf.Id; x != owner; x = S(x).Parent)
            {
                path.Insert(0, x);
            }

            foreach (var p in path)
            {
                _w.Line($"__Enter_{p}{_o}();");
            }

            foreach (var r in leaf.RegionSlots)
            {
                _w.Line(SlotNeedsHistory(r) ? $"__RestoreSlot_{r}_Deep{_o}();" : $"__InitSlot_{r}{_o}();");
            }

            _w.Line("break;");
            _w.Close();
        }

        _w.Line("default:");
        _w.Open();
        emitDefault();
        _w.Line("break;");
        _w.Close();
        _w.Close();
    }

    private int ChildOnPath(int ancestor, int descendant)
    {
        var x = descendant;
        while (S(x).Parent != ancestor)
        {
            x = S(x).Parent;
        }

        return x;
    }

    /// <summary>Maps to the runtime's <c>Hsm.StateKind</c> numbering: Simple 0, Composite 1, Orthogonal 2, Final 3, Choice 4.</summary>
    private static int VertexKindToStateKind(VertexKind kind) => kind switch
    {
        VertexKind.Simple => 0,
        VertexKind.Root or VertexKind.Composite => 1,
        VertexKind.Orthogonal => 2,
        VertexKind.Final => 3,
        _ => 4,
    };
}
