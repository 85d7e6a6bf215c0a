namespace HsmRaft.Benchmarks.Report;

/// <summary>
/// docs/benchmarks.md: each benchmark owns one "## " section and rewrites only that section, so
/// results of other benchmarks in the file stay as they are.
/// </summary>
public static class BenchmarksDocument
{
    private const string Intro = "# Benchmarks\n\nMeasured results of HsmRaft's benchmarks; each section is written by the program that measures it.\n";

    /// <summary>Replaces the section starting with <paramref name="heading"/> (or appends it) with <paramref name="body"/>.</summary>
    public static void WriteSection(string path, string heading, string body)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : Intro;
        var section = heading + "\n\n" + body.TrimEnd('\n') + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ReplaceSection(existing, heading, section));
    }

    internal static string ReplaceSection(string document, string heading, string section)
    {
        var lines = document.Split('\n').ToList();
        var start = lines.FindIndex(l => l.TrimEnd() == heading);
        if (start < 0)
            return document.TrimEnd('\n') + "\n\n" + section;
        var end = lines.FindIndex(start + 1, static l => l.StartsWith("## ", StringComparison.Ordinal));
        var before = string.Join('\n', lines.Take(start)).TrimEnd('\n');
        var after = end < 0 ? "" : string.Join('\n', lines.Skip(end));
        return (before.Length == 0 ? "" : before + "\n\n") + section + (after.Length == 0 ? "" : "\n" + after);
    }

    /// <summary>docs/benchmarks.md under the nearest directory above the working directory that holds HsmRaft.sln.</summary>
    public static string DefaultPath()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HsmRaft.sln")))
                return Path.Combine(directory.FullName, "docs", "benchmarks.md");
        }
        throw new InvalidOperationException(
            "Could not find the repository root (a directory holding HsmRaft.sln) above the working directory; run from the repository or pass --docs <path> (or --no-docs).");
    }
}
