using System.Collections;
using System.Reflection;
using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hsm.Generators.Tests;

/// <summary>The pipeline caches: an edit that does not touch a machine reuses every step, and the model holds no Roslyn objects.</summary>
public class IncrementalTests
{
    private static readonly string[] Steps =
        typeof(HsmGenerator).Assembly.GetType("Hsm.Generators.TrackingNames")!
            .GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
            .Select(f => (string)f.GetValue(null)!)
            .ToArray();

    private const string Unrelated = "public static class Helper { public static int Value => 1; }";
    private const string Dispatcher = "static class Use { static void Go(Demo.Door d) => d.Dispatch(new Demo.Open()); }";

    [Fact]
    public void AnUnrelatedEditLeavesEveryStepCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.Compilation(Sources.Door, Sources.Orthogonal, Unrelated, Dispatcher);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees[2],
            CSharpSyntaxTree.ParseText(Unrelated.Replace("=> 1", "=> 2"), (CSharpParseOptions)compilation.SyntaxTrees[2].Options, compilation.SyntaxTrees[2].FilePath));
        var run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Equal(2, run.GeneratedSources.Length);
        foreach (var step in Steps)
        {
            Assert.True(run.TrackedSteps.ContainsKey(step), $"step '{step}' did not run; is it still wired with WithTrackingName?");
            foreach (var output in run.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step '{step}' was {output.Reason} after an unrelated edit");
            }
        }

        foreach (var output in run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output step was {output.Reason}");
        }
    }

    [Fact]
    public void EditingAMachineRegeneratesOnlyThatMachine()
    {
        var compilation = GeneratorHarness.Compilation(Sources.Door, Sources.Orthogonal);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        // A trivial body is part of the generated code (run in place, docs/adr/0008): editing it changes that machine's
        // model and nothing else.
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText(Sources.Door.Replace("Openings++", "Openings += 2"), (CSharpParseOptions)compilation.SyntaxTrees[0].Options, compilation.SyntaxTrees[0].FilePath));
        var run = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = run.TrackedSteps["Model"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        Assert.Contains("this.Openings += ((int)(2))", string.Join("\n", run.GeneratedSources.Select(g => g.SourceText.ToString())));

        var renamed = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText(Sources.Door.Replace("Opened", "Ajar"), (CSharpParseOptions)compilation.SyntaxTrees[0].Options, compilation.SyntaxTrees[0].FilePath));
        run = driver.RunGenerators(renamed).GetRunResult().Results.Single();
        var models = run.TrackedSteps["Model"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, models);
        Assert.Contains(models, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void EditingABodyThatIsCalledChangesNoModel()
    {
        var door = Sources.Door.Replace("void Count() => Machine.Openings++;", "void Count() { Machine.Openings++; System.Console.Write(\"a\"); }");
        var compilation = GeneratorHarness.Compilation(door, Sources.Orthogonal);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText(door.Replace("\"a\"", "\"b\""), (CSharpParseOptions)compilation.SyntaxTrees[0].Options, compilation.SyntaxTrees[0].FilePath));
        var run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // The body has a call, so the step calls the method: its text is not part of the model, and nothing is re-emitted.
        var reasons = run.TrackedSteps["Model"].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void TheModelHoldsNoRoslynObjects()
    {
        var compilation = GeneratorHarness.Compilation(Sources.Door, Sources.Hierarchy, Sources.Orthogonal, Sources.Choice);
        var run = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        var models = run.TrackedSteps["Model"].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.Equal(4, models.Count);
        foreach (var model in models)
        {
            Assert.IsType<MachineModel>(model);
            Walk(model, "MachineModel", new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree)];

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        var type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}: the model must not hold Roslyn objects");
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Assert.False(Forbidden.Any(f => f.IsAssignableFrom(field.FieldType)), $"{path}.{field.Name} has type {field.FieldType.Name}");
            Walk(field.GetValue(value), path + "." + field.Name, seen);
        }
    }
}
