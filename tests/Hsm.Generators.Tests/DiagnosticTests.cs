using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Tests;

/// <summary>One test per diagnostic id: the id, its severity, and the source text the diagnostic points at.</summary>
public class DiagnosticTests
{
    private const string Prelude = """
        using Hsm;
        public readonly record struct E1;
        public readonly record struct E2;

        """;

    private static string Machine(string body) => Prelude + "[StateMachine]\npublic partial class M\n{\n" + body + "\n}\n";

    public static TheoryData<string, DiagnosticSeverity, string, string> Cases => new()
    {
        { "HSM0001", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { public partial class A1; }"), "A" },
        { "HSM0002", DiagnosticSeverity.Error, Machine("[Initial] public partial class A;\n[Initial] public partial class B;"), "B" },
        { "HSM0003", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, Elsewhere>] public partial class A;") + "public class Elsewhere;", "Transition<E1, Elsewhere>" },
        { "HSM0004", DiagnosticSeverity.Warning, Machine("[Initial] public partial class A;\npublic partial class Lonely;"), "Lonely" },
        { "HSM0005", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { [Entry] int In() => 0; }"), "In" },
        { "HSM0006", DiagnosticSeverity.Error, Machine("[Initial] public class A { [Entry] void In() { } }"), "A" },
        { "HSM0007", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, B>, Transition<E1, A>] public partial class A;\npublic partial class B;"), "Transition<E1, A>" },
        { "HSM0008", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, A>] public partial class A;") + "static class Use { static void Go(M m) => m.Send(new E2()); }", "m.Send(new E2())" },
        { "HSM0009", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, A>(Guard = \"Nope\")] public partial class A;"), "Transition<E1, A>(Guard = \"Nope\")" },
        { "HSM0010", DiagnosticSeverity.Error, Machine("[Initial] public partial class A : System.Exception;"), "A" },
        { "HSM0011", DiagnosticSeverity.Error, Prelude + "[StateMachine] public partial class Empty;", "Empty" },
        { "HSM0012", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, ShallowHistory<A>>] public partial class A;"), "Transition<E1, ShallowHistory<A>>" },
        { "HSM0013", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { [Region] public partial class R { public partial class X; } }"), "R" },
        { "HSM0014", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, C>] public partial class A;\n[Choice, Branch<A>(Guard = nameof(Ok))] public partial class C { bool Ok() => true; }"), "C" },
        { "HSM0015", DiagnosticSeverity.Warning, Machine("[Initial, Defer<E2>, Transition<E1, A>] public partial class A;"), "Defer<E2>" },
        { "HSM0016", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { [Region] public partial class Empty; }"), "Empty" },
        { "HSM0017", DiagnosticSeverity.Error, Machine("[Initial, Transition<E1, F>] public partial class A;\n[Final, Transition<E1, A>] public partial class F;"), "F" },
        { "HSM0018", DiagnosticSeverity.Error, Machine("[Initial, Choice, Else<B>] public partial class C;\npublic partial class B;"), "C" },
        { "HSM0019", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { [Entry] void In() { } [Entry] void In2() { } }"), "In2" },
        { "HSM0020", DiagnosticSeverity.Error, Machine("[Initial, HistoryDefault<B>] public partial class A { [Initial] public partial class A1; }\npublic partial class B;"), "HistoryDefault<B>" },
        { "HSM0021", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { private A() { } }"), "A" },
        { "HSM0022", DiagnosticSeverity.Warning, Machine("[Initial, Transition<E1, B>(Guard = nameof(Ready)), Defer<E1>] public partial class A { bool Ready() => true; }\n[Transition<E2, A>] public partial class B;"), "Defer<E1>" },
        { "HSM0023", DiagnosticSeverity.Error, Machine("[Initial] public partial class A { [Initial] private partial class A1; }"), "A1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsReportedAtTheRightPlaceWithTheRightSeverity(string id, DiagnosticSeverity severity, string source, string locatedText)
    {
        var (diagnostics, _, _) = GeneratorHarness.Generate(source);
        var d = Assert.Single(diagnostics, x => x.Id == id);
        Assert.Equal(severity, d.Severity);
        Assert.True(d.Location.IsInSource, $"{id} has no source location");
        Assert.Equal(locatedText, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Equal($"https://github.com/hsmraft/hsmraft/blob/main/docs/diagnostics/{id}.md", d.Descriptor.HelpLinkUri);
        Assert.DoesNotContain("{", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDescriptorHasATestADocsPageAndAReleaseEntry()
    {
        var ids = typeof(Diagnostics.DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Order()
            .ToList();
        Assert.Equal(ids, Cases.Select(c => (string)c[0]).Order());
        var root = RepositoryRoot();
        var releases = File.ReadAllText(Path.Combine(root, "src", "Hsm.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var id in ids)
        {
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", id + ".md")), $"docs/diagnostics/{id}.md is missing");
            Assert.Contains(id + " |", releases);
        }
    }

    [Fact]
    public void PragmaWarningDisableSilencesWarnings()
    {
        var source = Machine("[Initial] public partial class A;\n#pragma warning disable HSM0004\npublic partial class Lonely;\n#pragma warning restore HSM0004");
        var (diagnostics, _, run) = GeneratorHarness.Generate(source);
        Assert.DoesNotContain(diagnostics, d => d.Id == "HSM0004" && !d.IsSuppressed);
        Assert.Single(run.GeneratedTrees); // a warning does not stop generation
    }

    [Fact]
    public void ErrorsStopGenerationButNotOtherMachines()
    {
        var (diagnostics, _, run) = GeneratorHarness.Generate(Machine("public partial class A;"), Sources.Door);
        Assert.Contains(diagnostics, d => d.Id == "HSM0001");
        Assert.Equal("Demo.Door.g.cs", Path.GetFileName(Assert.Single(run.GeneratedTrees).FilePath));
    }

    private static string RepositoryRoot() => HsmRaft.TestSupport.RepositoryPaths.Root;
}
