namespace HsmRaft.Tests;

/// <summary>The README's embedding example is the program of samples/EmbeddedCounter, which the solution builds: this keeps the
/// README's code compiling against the current API.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void EmbeddingExampleIsTheEmbeddedCounterSample()
    {
        var readme = File.ReadAllText(HsmRaft.TestSupport.RepositoryPaths.Combine("README.md")).ReplaceLineEndings("\n");
        const string fence = "```csharp\n";
        var start = readme.IndexOf(fence, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += fence.Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        var program = File.ReadAllText(HsmRaft.TestSupport.RepositoryPaths.Combine("samples", "EmbeddedCounter", "Program.cs")).ReplaceLineEndings("\n");
        Assert.True(block == program,
            "The first C# block of README.md differs from samples/EmbeddedCounter/Program.cs; change both together (the sample is what CI compiles).");
    }
}
