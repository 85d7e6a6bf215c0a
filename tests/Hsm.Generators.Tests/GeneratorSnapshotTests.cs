using System.Runtime.CompilerServices;
using System.Text;

namespace Hsm.Generators.Tests;

/// <summary>
/// Golden files of the generated source, compared byte for byte. To accept a change, run the tests with
/// <c>HSM_UPDATE_SNAPSHOTS=1</c> and review the diff of the <c>*.verified.cs</c> files; a mismatch also leaves a
/// <c>*.received.cs</c> beside the golden file (ignored by git) to diff against.
/// </summary>
public class GeneratorSnapshotTests
{
    [Fact]
    public void Door() => Verify(Sources.Door);

    [Fact]
    public void Hierarchy() => Verify(Sources.Hierarchy);

    [Fact]
    public void Orthogonal() => Verify(Sources.Orthogonal);

    [Fact]
    public void Choice() => Verify(Sources.Choice);

    [Fact]
    public void OutputIsDeterministic()
    {
        var first = GeneratorHarness.GeneratedText(Sources.Orthogonal);
        var second = GeneratorHarness.GeneratedText(Sources.Orthogonal);
        Assert.Equal(first, second);
    }

    private static void Verify(string source, [CallerMemberName] string name = "")
    {
        var actual = GeneratorHarness.GeneratedText(source);
        var directory = HsmRaft.TestSupport.RepositoryPaths.Combine("tests", "Hsm.Generators.Tests");
        var verified = Path.Combine(directory, $"{nameof(GeneratorSnapshotTests)}.{name}.verified.cs");
        var received = Path.ChangeExtension(verified, null).Replace(".verified", ".received") + ".cs";
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(actual);
        if (Environment.GetEnvironmentVariable("HSM_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllBytes(verified, bytes);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(verified) ? File.ReadAllBytes(verified) : [];
        if (expected.AsSpan().SequenceEqual(bytes))
        {
            File.Delete(received);
            return;
        }

        File.WriteAllBytes(received, bytes);
        Assert.Fail(
            $"Generated source differs from {Path.GetFileName(verified)} ({FirstDifference(Encoding.UTF8.GetString(expected), actual)}).\n" +
            $"Compare: diff {verified} {received}\n" +
            "If the change is intended, rerun with HSM_UPDATE_SNAPSHOTS=1 and commit the updated golden file.");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"first difference at line {i + 1}: expected `{el.Trim()}`, got `{al.Trim()}`";
            }
        }

        return "line endings or encoding differ";
    }
}
