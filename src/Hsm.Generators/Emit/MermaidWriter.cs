using System.Linq;
using System.Text;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>Renders a machine as a Mermaid <c>stateDiagram-v2</c>: nested states, regions separated by <c>--</c>, choices,
/// final states, history pseudostates (<c>H</c>, <c>H*</c>) and every declared or handler transition.</summary>
internal static class MermaidWriter
{
    public static string Write(MachineModel m)
    {
        var sb = new StringBuilder();
        sb.Append("stateDiagram-v2\n");
        WriteChildren(m, sb, 0, 1);
        foreach (var s in m.States)
        {
            foreach (var r in s.Reactions)
            {
                if (r.Kind == ReactionKind.Transition)
                {
                    Edge(m, sb, s, Target(m, r.Target, r.TargetKind), Label(m, r));
                }
                else if (r.Kind == ReactionKind.Handler)
                {
                    foreach (var t in r.HandlerTargets)
                    {
                        Edge(m, sb, s, Id(m, t / 2), m.Events[r.Event].Name + " / " + r.Handler + "()");
                    }
                }
            }

            foreach (var b in s.Branches)
            {
                var label = b.Guard is null ? "[else]" : "[" + b.Guard.Name + "]";
                Edge(m, sb, s, Target(m, b.Target, b.TargetKind), label);
            }

            if (s.Kind == VertexKind.Final)
            {
                sb.Append("    ").Append(Id(m, s.Id)).Append(" --> [*]\n");
            }
        }

        return sb.ToString();
    }

    private static void WriteChildren(MachineModel m, StringBuilder sb, int parent, int depth)
    {
        var indent = new string(' ', depth * 4);
        var p = m.States[parent];
        if (p.Kind == VertexKind.Orthogonal)
        {
            for (var i = 0; i < p.RegionSlots.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(indent).Append("--\n");
                }

                var slot = m.Slots[p.RegionSlots[i]];
                sb.Append(indent).Append("%% region ").Append(slot.RegionName).Append('\n');
                sb.Append(indent).Append("[*] --> ").Append(Id(m, slot.Initial)).Append('\n');
                foreach (var c in m.States.Where(s => s.Parent == parent && s.Slot == slot.Index))
                {
                    WriteState(m, sb, c, depth);
                }
            }

            WriteHistory(m, sb, p, indent);
            return;
        }

        if (p.Initial != 0)
        {
            sb.Append(indent).Append("[*] --> ").Append(Id(m, p.Initial)).Append('\n');
        }

        foreach (var c in m.States.Where(s => s.Parent == parent && s.Id != 0))
        {
            WriteState(m, sb, c, depth);
        }

        WriteHistory(m, sb, p, indent);
    }

    private static void WriteHistory(MachineModel m, StringBuilder sb, StateModel s, string indent)
    {
        if (s.ShallowHistory)
        {
            sb.Append(indent).Append("state \"H\" as ").Append(Id(m, s.Id)).Append("_H\n");
        }

        if (s.DeepHistory)
        {
            sb.Append(indent).Append("state \"H*\" as ").Append(Id(m, s.Id)).Append("_HD\n");
        }
    }

    private static void WriteState(MachineModel m, StringBuilder sb, StateModel s, int depth)
    {
        var indent = new string(' ', depth * 4);
        var id = Id(m, s.Id);
        if (s.Kind == VertexKind.Choice)
        {
            sb.Append(indent).Append("state ").Append(id).Append(" <<choice>>\n");
            return;
        }

        if (id != s.Name)
        {
            sb.Append(indent).Append("state \"").Append(s.Name).Append("\" as ").Append(id).Append('\n');
        }

        if (s.IsComposite)
        {
            sb.Append(indent).Append("state ").Append(id).Append(" {\n");
            WriteChildren(m, sb, s.Id, depth + 1);
            sb.Append(indent).Append("}\n");
        }
        else if (id == s.Name)
        {
            sb.Append(indent).Append(id).Append('\n');
        }
    }

    private static void Edge(MachineModel m, StringBuilder sb, StateModel source, string target, string label)
    {
        var from = source.Id == 0 ? "[*]" : Id(m, source.Id);
        if (source.Id == 0)
        {
            sb.Append("    %% any state of ").Append(m.Name).Append(" --> ").Append(target).Append(" : ").Append(label).Append('\n');
            return;
        }

        sb.Append("    ").Append(from).Append(" --> ").Append(target).Append(" : ").Append(label).Append('\n');
    }

    private static string Target(MachineModel m, int target, TargetKind kind) => kind switch
    {
        TargetKind.ShallowHistory => Id(m, target) + "_H",
        TargetKind.DeepHistory => Id(m, target) + "_HD",
        _ => Id(m, target),
    };

    private static string Label(MachineModel m, ReactionModel r)
    {
        var label = r.Event < 0 ? "completion" : m.Events[r.Event].Name;
        if (r.Guard is not null)
        {
            label += " [" + r.Guard.Name + "]";
        }

        if (r.Action is not null)
        {
            label += " / " + r.Action.Name;
        }

        return label;
    }

    /// <summary>Mermaid ids must be unique across the diagram; the state's member name is.</summary>
    private static string Id(MachineModel m, int id) => m.States[id].MemberName;
}
