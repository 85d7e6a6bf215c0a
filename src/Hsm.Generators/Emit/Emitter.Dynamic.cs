using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>
/// Table-driven helpers for the cases the compiler cannot see statically: exiting regions whose active state is only known
/// at run time, completion transitions of composite states, and handler results naming a target the generator did not find.
/// They rely on ids being assigned in document pre-order: a state's descendants are the ids (id, last[id]], and exiting in
/// descending id order is exactly "innermost first, later regions first".
/// </summary>
internal sealed partial class Emitter
{
    private void EmitDynamicHelpers()
    {
        var count = M.States.Count;
        _w.Line();
        _w.Line("private const int __maxDepth = " + (M.States.Max(s => s.Depth) + 1) + ";");
        _w.Line("private static readonly int[] __parent = { " + string.Join(", ", M.States.Select(s => s.Parent < 0 ? 0 : s.Parent)) + " };");
        _w.Line("private static readonly int[] __slotOf = { " + string.Join(", ", M.States.Select(s => s.Slot)) + " };");
        _w.Line("private static readonly int[] __last = { " + string.Join(", ", M.States.Select(s => s.LastDescendant)) + " };");
        _w.Line("private static readonly byte[] __kind = { " + string.Join(", ", M.States.Select(s => VertexKindToStateKind(s.Kind))) + " };");
        _w.Line("private static readonly int[][] __regionSlots = { " +
                string.Join(", ", M.States.Select(s => s.RegionSlots.Count == 0 ? "global::System.Array.Empty<int>()" : "new[] { " + string.Join(", ", s.RegionSlots) + " }")) + " };");
        _w.Line("private static readonly int[] __slotFirst = { " + string.Join(", ", M.Slots.Select(s => s.First)) + " };");
        _w.Line("private static readonly int[] __slotLast = { " + string.Join(", ", M.Slots.Select(s => s.Last)) + " };");

        _w.Line();
        _w.Open("private int __GetActive(int slot)");
        _w.Open("switch (slot)");
        foreach (var slot in M.Slots)
        {
            _w.Line($"case {slot.Index}: return __a{slot.Index};");
        }

        _w.Line("default: return 0;");
        _w.Close();
        _w.Close();

        _w.Line();
        _w.Open("private void __SetActive(int slot, int state)");
        _w.Open("switch (slot)");
        foreach (var slot in M.Slots)
        {
            _w.Line($"case {slot.Index}: __a{slot.Index} = state; break;");
        }

        _w.Close();
        _w.Close();

        _w.Line();
        _w.Open("private bool __IsActive(int id)");
        _w.Line("if (id == 0) return __started;");
        _w.Line($"if ((uint)id >= {count}u) return false;");
        _w.Line("var a = __GetActive(__slotOf[id]);");
        _w.Line("while (a > id) a = __parent[a];");
        _w.Line("return a == id;");
        _w.Close();

        _w.Line();
        _w.Line("/// <summary>Exits the active states of a region slot below <paramref name=\"domain\"/> (0: all of them), innermost first;");
        _w.Line("/// an orthogonal state's regions are exited in reverse document order before the state itself.</summary>");
        _w.Open("private void __ExitDown(int slot, int domain)");
        _w.Open("for (var s = __GetActive(slot); s != domain && s != 0; s = __GetActive(slot))");
        _w.Line("var regions = __regionSlots[s];");
        _w.Line("for (var r = regions.Length - 1; r >= 0; r--) __ExitDown(regions[r], 0);");
        _w.Line("__ExitById(s);");
        _w.Close();
        _w.Close();

        EmitIdSwitch("__ExitById", RealStates.Select(s => (s.Id, Either($"__Exit_{s.Id}"))));
        EmitIdSwitch("__EnterById", RealStates.Select(s => (s.Id, Either($"__Enter_{s.Id}"))));
        EmitIdSwitch("__InitById", RealStates.Where(s => s.IsComposite).Select(s => (s.Id, Either($"__Init_{s.Id}"))));
        EmitIdSwitch("__InitSlotById", M.Slots.Select(s => (s.Index, Either($"__InitSlot_{s.Index}"))));

        _w.Line();
        _w.Open("private static int __RegionIndex(int orthogonal, int descendant)");
        _w.Line("var regions = __regionSlots[orthogonal];");
        _w.Open("for (var r = 0; r < regions.Length; r++)");
        _w.Line("if (descendant >= __slotFirst[regions[r]] && descendant <= __slotLast[regions[r]]) return r;");
        _w.Close();
        _w.Line("return 0;");
        _w.Close();

        EmitTransitionDynamic(count);
    }

    private void EmitIdSwitch(string name, System.Collections.Generic.IEnumerable<(int Id, string Call)> cases)
    {
        _w.Line();
        _w.Open($"private void {name}(int id)");
        var list = cases.ToList();
        if (list.Count > 0)
        {
            _w.Open("switch (id)");
            foreach (var (id, call) in list)
            {
                _w.Line($"case {id}: {call} break;");
            }

            _w.Close();
        }

        _w.Close();
    }

    private void EmitTransitionDynamic(int count)
    {
        _w.Line();
        _w.Line("/// <summary>An external transition whose target is known only at run time.</summary>");
        _w.Open("private void __TransitionDynamic(int source, int target, bool local)");
        _w.Open($"if (target <= 0 || target >= {count} || __kind[target] == 4)");
        _w.Line($"throw new global::Hsm.HsmException($\"A handler of state '{{__info.States[source].Path}}' in '{M.Name}' returned a transition to state id {{target}}, which is not a state of this machine. Use Goto<TState>() with a state of '{M.Name}'.\");");
        _w.Close();
        _w.Line("var domain = __parent[source];");
        _w.Line("if (source == 0) domain = 0;");
        _w.Line("while (domain > 0 && !(target > domain && target <= __last[domain])) domain = __parent[domain];");
        _w.Line("while (domain > 0 && __kind[domain] == 2 && !(source != domain && __RegionIndex(domain, source) == __RegionIndex(domain, target))) domain = __parent[domain];");
        _w.Line("// Local: a composite source containing the target, or a composite target containing the source, is not exited.");
        _w.Line("if (local && __kind[source] == 1 && target >= source && target <= __last[source]) domain = source;");
        _w.Line("else if (local && target != 0 && __kind[target] == 1 && source > target && source <= __last[target]) domain = target;");
        _w.Line("if (__observer != null) __ObsTransition(source, target);");
        _w.Line("if (__kind[domain] == 2) __ExitDown(__regionSlots[domain][__RegionIndex(domain, target)], 0);");
        _w.Line("else __ExitDown(__slotOf[domain], domain);");
        _w.Line("global::System.Span<int> path = stackalloc int[__maxDepth];");
        _w.Line("var n = 0;");
        _w.Line("for (var x = target; x != domain; x = __parent[x]) path[n++] = x;");
        _w.Open("for (var i = n - 1; i >= 0; i--)");
        _w.Line("__EnterById(path[i]);");
        _w.Open("if (__kind[path[i]] == 2 && i > 0)");
        _w.Line("var regions = __regionSlots[path[i]];");
        _w.Line("var k = __RegionIndex(path[i], path[i - 1]);");
        _w.Line("for (var r = 0; r < k; r++) __InitSlotById(regions[r]);");
        _w.Close();
        _w.Close();
        _w.Line("__InitById(target);");
        _w.Open("for (var i = 1; i < n; i++)");
        _w.Open("if (__kind[path[i]] == 2)");
        _w.Line("var regions = __regionSlots[path[i]];");
        _w.Line("var k = __RegionIndex(path[i], path[i - 1]);");
        _w.Line("for (var r = k + 1; r < regions.Length; r++) __InitSlotById(regions[r]);");
        _w.Close();
        _w.Close();
        if (_hasDeferrals)
        {
            _w.Line("__transitioned = true;");
        }

        _w.Close();
    }
}
