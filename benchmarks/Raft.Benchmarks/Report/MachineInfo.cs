using System.Globalization;
using System.Runtime.InteropServices;

namespace HsmRaft.Benchmarks.Report;

/// <summary>One line describing the machine, so numbers in the report can be compared across machines.</summary>
public static class MachineInfo
{
    public static string Describe(string tempDirectory)
    {
        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return string.Join(", ",
            $"{CpuModel()} ({Environment.ProcessorCount} logical cores)",
            $"{memoryGiB.ToString("F0", CultureInfo.InvariantCulture)} GiB RAM",
            OperatingSystemName(),
            RuntimeInformation.FrameworkDescription,
            $"temp dir {tempDirectory} on {FileSystemOf(tempDirectory)}");
    }

    /// <summary>The 1, 5 and 15 minute load averages ("unknown" off Linux): how busy the shared machine was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string CpuModel() =>
        FirstValue("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string OperatingSystemName()
    {
        var distribution = FirstValue("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"');
        return distribution is null
            ? RuntimeInformation.OSDescription
            : $"{distribution} (kernel {Environment.OSVersion.Version})";
    }

    /// <summary>The file system type and device of the longest mount point containing <paramref name="path"/>.</summary>
    private static string FileSystemOf(string path)
    {
        if (!File.Exists("/proc/mounts")) return "unknown file system";
        var full = Path.GetFullPath(path);
        var best = File.ReadLines("/proc/mounts")
            .Select(static line => line.Split(' '))
            .Where(static f => f.Length >= 3)
            .Where(f => full.StartsWith(f[1], StringComparison.Ordinal) && (f[1] == "/" || full.Length == f[1].Length || full[f[1].Length] == '/'))
            .MaxBy(static f => f[1].Length);
        return best is null ? "unknown file system" : $"{best[2]} ({best[0]})";
    }

    private static string? FirstValue(string file, string key, char separator)
    {
        if (!File.Exists(file)) return null;
        return File.ReadLines(file)
            .Select(line => line.Split(separator, 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
            .Select(static parts => parts[1].Trim())
            .FirstOrDefault();
    }
}
