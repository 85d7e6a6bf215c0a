using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class IntrospectionTests
{
    [Fact]
    public void MachineInfoDescribesStatesInDocumentOrder()
    {
        var info = Editor.StateMachineInfo;
        Assert.Equal("Editor", info.Name);
        Assert.Equal(
            ["Editor", "Idle", "Active", "Active.Text.Plain", "Active.Text.Bold", "Active.Lists.NoList", "Active.Lists.Bullets", "Active.Lists.Numbered", "Active.Saver.Clean", "Active.Saver.Locked"],
            info.States.Select(s => s.Path));
        var bold = info.Find("Bold")!;
        Assert.Equal((Editor.Active.Text.Bold.StateId, Editor.Active.StateId, StateKind.Simple, "Text"), (bold.Id, bold.ParentId, bold.Kind, bold.Region));
        Assert.Equal(StateKind.Orthogonal, info.Find("Active")!.Kind);
        Assert.True(info.IsAncestorOrSelf(Editor.Active.StateId, bold.Id));
        Assert.False(info.IsAncestorOrSelf(Editor.Idle.StateId, bold.Id));
        Assert.Equal(StateKind.Choice, Grader.StateMachineInfo.Find("Decide")!.Kind);
        Assert.Equal(StateKind.Final, Pipeline.StateMachineInfo.Find("End")!.Kind);
        Assert.Contains("Save", info.EventTypes);
    }

    [Fact]
    public void CurrentStateAndIsInFollowTheMachine()
    {
        var m = new Lca();
        Assert.False(m.IsStarted);
        Assert.Equal(0, m.CurrentStateId);
        m.Start();
        Assert.True(m.IsStarted);
        Assert.Equal("A.A1.A11", m.CurrentState.Path);
        Assert.True(m.IsIn(Lca.A.StateId));
        Assert.True(m.IsIn<Lca.A.A1>());
        Assert.False(m.IsIn<Lca.B>());
        Assert.False(m.IsIn(999));
        Assert.Same(m.A11State, m.A11State);
    }

    [Fact]
    public void MermaidShowsNestingRegionsHistoryChoiceAndFinalStates()
    {
        var editor = Editor.MermaidDiagram.Split('\n');
        Assert.Equal("stateDiagram-v2", editor[0]);
        Assert.Contains("    state Active {", editor);
        Assert.Contains("        %% region Lists", editor);
        Assert.Contains("        --", editor);
        Assert.Contains("        state \"H*\" as Active_HD", editor);
        Assert.Contains("    Idle --> Active_HD : Resume", editor);
        Assert.Contains("    Bold --> Numbered : Jump", editor);
        Assert.Equal(2, editor.Count(l => l == "        --")); // three regions, two separators

        var history = History.MermaidDiagram.Split('\n');
        Assert.Contains("        state \"H\" as On_H", history);
        Assert.Contains("    Off --> On_H : ResumeShallow", history);

        Assert.Contains("    state Decide <<choice>>", Grader.MermaidDiagram.Split('\n'));
        Assert.Contains("    Decide --> Fail : [else]", Grader.MermaidDiagram.Split('\n'));
        Assert.Contains("    End --> [*]", Pipeline.MermaidDiagram.Split('\n'));
        Assert.Same(Editor.MermaidDiagram, Editor.StateMachineInfo.Mermaid);
    }
}
