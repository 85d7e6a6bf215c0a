using HsmRaft.Core;

namespace HsmRaft.Tests;

/// <summary>docs/raft.md shows the role machine's diagram as the generator emits it; this test keeps the two identical.
/// Set HSMRAFT_UPDATE_DOCS=1 to rewrite the block after changing the machine.</summary>
public class RoleDiagramTests
{
    private const string Begin = "<!-- BEGIN GENERATED ROLE DIAGRAM -->";
    private const string End = "<!-- END GENERATED ROLE DIAGRAM -->";

    [Fact]
    public void DocsShowTheGeneratedRoleDiagram()
    {
        var path = Path.Combine(RepoRoot(), "docs", "raft.md");
        var text = File.ReadAllText(path);
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} must contain the markers {Begin} and {End}.");
        var expected = Begin + "\n```mermaid\n" + RaftCore.RoleMachineInfo.Mermaid + "```\n" + End;
        var actual = text[start..(end + End.Length)];
        if (actual != expected && Environment.GetEnvironmentVariable("HSMRAFT_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..start] + expected + text[(end + End.Length)..]);
            return;
        }

        Assert.True(actual == expected, "docs/raft.md's role diagram differs from the generated one; run the tests with HSMRAFT_UPDATE_DOCS=1 to rewrite it.");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HsmRaft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (HsmRaft.sln) above " + AppContext.BaseDirectory);
    }
}
