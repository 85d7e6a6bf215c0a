using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hsm.Generators.Tests;

/// <summary>Compiles sources in memory against the .NET 10 reference assemblies (offline) and Hsm, and runs the generator.</summary>
internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(StateMachineAttribute).Assembly.Location),
    ];

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "TestMachines",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            [new HsmGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its diagnostics (after #pragma filtering), the updated compilation and the run result.</summary>
    public static (ImmutableArray<Diagnostic> Diagnostics, Compilation Output, GeneratorDriverRunResult Run) Generate(params string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var diagnostics);
        return (diagnostics, output, driver.GetRunResult());
    }

    /// <summary>The one file the generator writes for <paramref name="source"/> (which must produce no diagnostic).</summary>
    public static string GeneratedText(string source)
    {
        var (diagnostics, _, run) = Generate(source);
        Assert.Empty(diagnostics);
        return Assert.Single(run.GeneratedTrees).GetText().ToString();
    }

    /// <summary>The parser's model of machine <paramref name="machine"/> (metadata name) in <paramref name="source"/>.</summary>
    public static Hsm.Generators.Model.MachineModel Model(string source, string machine)
    {
        var compilation = Compilation(source);
        var result = Hsm.Generators.Parsing.MachineParser.Parse(compilation.GetTypeByMetadataName(machine)!, compilation, CancellationToken.None);
        Assert.NotNull(result.Model);
        return result.Model!;
    }

    /// <summary>Generates, compiles (failing on any error or warning) and loads the assembly into a collectible context.</summary>
    public static Assembly CompileAndLoad(params string[] sources)
    {
        var (diagnostics, output, _) = Generate(sources);
        Assert.Empty(diagnostics);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(emit.Success && problems.Count == 0, string.Join("\n", problems));
        stream.Position = 0;
        return new AssemblyLoadContext("machines", isCollectible: true).LoadFromStream(stream);
    }

    /// <summary>Calls <c>public static string Run()</c> of class <paramref name="type"/>.</summary>
    public static string Run(Assembly assembly, string type) =>
        (string)assembly.GetType(type, throwOnError: true)!.GetMethod("Run")!.Invoke(null, null)!;
}
