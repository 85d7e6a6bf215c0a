using System.Collections.Generic;
using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>
/// Plans a transition at compile time and writes it as straight-line code: exits from the known active state up to the
/// transition's domain (the least common proper ancestor of source and target that is not orthogonal), the action, then
/// entries down to the target and its default drill-down. Orthogonal regions are exited in reverse document order and
/// entered in document order (SCXML's rule); regions whose active state is only known at run time use the dynamic helpers.
/// </summary>
internal sealed partial class Emitter
{
    /// <param name="leaf">The active state known statically in the dispatching slot, or null to exit dynamically.</param>
    /// <param name="eventArg">The event parameter's name when the transition has one (guards and actions may take it).</param>
    private void EmitTransition(int source, int? leaf, int target, TargetKind kind, bool local, MethodRef? action, string? eventArg)
    {
        var domain = Domain(source, target, local && kind == TargetKind.State && S(target).Kind != VertexKind.Choice);
        Hook($"if (__observer != null) __ObsTransition({source}, {target});");
        // In a trivial step no user code can look at the active state between the exits and the entries, and nothing can
        // throw half-way, so only the final value is written (the JIT cannot drop the intermediate stores itself: the user
        // code between them writes through another reference). Kept to a known leaf and a simple target in a machine
        // without regions, where the final value is the target itself.
        _quiet = _trivialStep && leaf is not null && kind == TargetKind.State && S(target).Kind is VertexKind.Simple or VertexKind.Final;
        EmitExits(leaf, domain, target);
        if (action is not null)
        {
            EmitCall(action, HsmActionKindAction, eventArg);
        }

        EmitEntries(domain, target, kind, eventArg);
        if (_quiet)
        {
            _w.Line($"__a{S(target).Slot} = {target};");
            _quiet = false;
        }

        if (_hasDeferrals)
        {
            _w.Line("__transitioned = true;");
        }
    }

    /// <summary>The state whose active descendants the transition exits and re-enters (it is not exited itself).</summary>
    private int Domain(int source, int target, bool local)
    {
        if (local && source != target && IsAncestor(source, target) && S(source).Kind == VertexKind.Composite)
        {
            return source;
        }

        if (local && source != target && IsAncestor(target, source) && S(target).Kind == VertexKind.Composite)
        {
            return target;
        }

        if (local && source == target && S(source).Kind == VertexKind.Composite)
        {
            return source;
        }

        var d = S(source).Parent;
        while (d > 0 && !(IsAncestor(d, target) && d != target))
        {
            d = S(d).Parent;
        }

        // Two states of the same region have that region as their domain (the orthogonal state stays active);
        // states in different regions of an orthogonal state need its parent (SCXML: the domain is never parallel).
        while (d > 0 && S(d).Kind == VertexKind.Orthogonal && !(source != d && RegionIndex(d, source) == RegionIndex(d, target)))
        {
            d = S(d).Parent;
        }

        return d < 0 ? 0 : d;
    }

    private void EmitExits(int? leaf, int domain, int target)
    {
        if (leaf is null)
        {
            if (S(domain).Kind == VertexKind.Orthogonal)
            {
                EmitExitSlot(S(domain).RegionSlots[RegionIndex(domain, target)]);
            }
            else
            {
                _w.Line($"__ExitDown({S(domain).Slot}, {domain});");
            }

            return;
        }

        var chain = new List<int>();
        for (var x = leaf.Value; x != domain && x > 0; x = S(x).Parent)
        {
            chain.Add(x);
        }

        // Regions after the one being left, outermost orthogonal state first: they come last in document order.
        for (var i = chain.Count - 1; i >= 1; i--)
        {
            if (S(chain[i]).Kind == VertexKind.Orthogonal)
            {
                var regions = S(chain[i]).RegionSlots;
                var k = RegionIndex(chain[i], chain[i - 1]);
                for (var r = regions.Count - 1; r > k; r--)
                {
                    EmitExitSlot(regions[r]);
                }
            }
        }

        if (chain.Count > 0 && S(chain[0]).Kind == VertexKind.Orthogonal)
        {
            var regions = S(chain[0]).RegionSlots;
            for (var r = regions.Count - 1; r >= 0; r--)
            {
                EmitExitSlot(regions[r]);
            }
        }

        for (var i = 0; i < chain.Count; i++)
        {
            if (i > 0 && S(chain[i]).Kind == VertexKind.Orthogonal)
            {
                var regions = S(chain[i]).RegionSlots;
                var k = RegionIndex(chain[i], chain[i - 1]);
                for (var r = k - 1; r >= 0; r--)
                {
                    EmitExitSlot(regions[r]);
                }
            }

            _w.Line($"__Exit_{chain[i]}{Variant(_quietExits, chain[i])}();");
        }
    }

    /// <summary>The suffix of the exit or entry method to call: the quiet variant (recorded for emission) inside a quiet
    /// transition, else the observed or plain one.</summary>
    private string Variant(System.Collections.Generic.SortedSet<int> quietSet, int state)
    {
        if (!_quiet)
        {
            return _o;
        }

        quietSet.Add(state);
        return "__q";
    }

    private void EmitExitSlot(int slot) => _w.Line($"__ExitDown({slot}, 0);");

    private void EmitEntries(int domain, int target, TargetKind kind, string? eventArg)
    {
        var t = S(target);
        var isChoice = kind == TargetKind.State && t.Kind == VertexKind.Choice;
        var last = isChoice ? t.Parent : target;
        var path = new List<int>();
        for (var x = last; x != domain && x > 0; x = S(x).Parent)
        {
            path.Insert(0, x);
        }

        var pending = new List<(int Orthogonal, int Region)>();
        for (var i = 0; i < path.Count; i++)
        {
            _w.Line($"__Enter_{path[i]}{Variant(_quietEnters, path[i])}();");
            if (S(path[i]).Kind == VertexKind.Orthogonal && i < path.Count - 1)
            {
                var k = RegionIndex(path[i], path[i + 1]);
                var regions = S(path[i]).RegionSlots;
                for (var r = 0; r < k; r++)
                {
                    _w.Line($"__InitSlot_{regions[r]}{_o}();");
                }

                pending.Add((path[i], k));
            }
        }

        if (!isChoice)
        {
            if (kind != TargetKind.State)
            {
                _w.Line($"__Restore_{target}_{(kind == TargetKind.DeepHistory ? "Deep" : "Shallow")}{_o}();");
            }
            else if (t.IsComposite)
            {
                _w.Line($"__Init_{target}{_o}();");
            }
        }

        for (var p = pending.Count - 1; p >= 0; p--)
        {
            var regions = S(pending[p].Orthogonal).RegionSlots;
            for (var r = pending[p].Region + 1; r < regions.Count; r++)
            {
                _w.Line($"__InitSlot_{regions[r]}{_o}();");
            }
        }

        if (isChoice)
        {
            EmitChoice(target, last);
        }
    }

    /// <summary>Evaluates a choice's guards after the first segment's exits and entries, then completes the transition.</summary>
    private void EmitChoice(int choice, int activeParent)
    {
        var branches = S(choice).Branches.OrderBy(b => b.Guard is null ? 1 : 0).ToList();
        var opened = 0;
        foreach (var b in branches)
        {
            if (b.Guard is not null)
            {
                OpenGuard(b.Guard, null, choice);
                EmitTransition(choice, activeParent, b.Target, b.TargetKind, false, b.Action, null);
                _w.Close();
                _w.Open("else");
                opened++;
            }
            else
            {
                EmitTransition(choice, activeParent, b.Target, b.TargetKind, false, b.Action, null);
            }
        }

        for (var i = 0; i < opened; i++)
        {
            _w.Close();
        }
    }

    private int RegionIndex(int orthogonal, int descendant)
    {
        var regions = S(orthogonal).RegionSlots;
        for (var r = 0; r < regions.Count; r++)
        {
            var slot = M.Slots[regions[r]];
            if (descendant >= slot.First && descendant <= slot.Last)
            {
                return r;
            }
        }

        return 0;
    }

    /// <summary>True when <paramref name="ancestor"/> is a proper ancestor of <paramref name="state"/>.</summary>
    private bool IsAncestor(int ancestor, int state) =>
        ancestor != state && state > ancestor && state <= S(ancestor).LastDescendant;
}
