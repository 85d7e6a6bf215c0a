using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace HsmRaft.Storage.Tests;

/// <summary>
/// A real child process (Raft.Storage.CrashChild) appends, truncates and compacts a real on-disk log and prints each
/// acknowledged (synced) batch; it is killed with SIGKILL at a random moment, many times. After every kill the log must
/// recover and hold every acknowledged entry, with its exact term and payload.
/// </summary>
public class ProcessKillTests
{
    private const int Cycles = 20;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public Task A_child_killed_with_SIGKILL_never_loses_a_synced_entry() =>
        Seeded.RunAsync(nameof(A_child_killed_with_SIGKILL_never_loses_a_synced_entry), Seeded.Seeds(4242), async seed =>
        {
            var random = new Random(seed);
            using var dir = new TempDirectory();
            var acked = new SortedDictionary<long, long>(); // index -> term of every acknowledged entry
            var ackedStart = 0L;
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                var target = random.Next(1, 80);
                var lines = await RunAndKillAsync(dir.Path, seed + cycle, target, checkLock: cycle == 0);
                foreach (var line in lines)
                {
                    var parts = line.Split(' ');
                    var numbers = parts.Skip(1).Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                    if (parts[0] == "append")
                    {
                        // An append from <first> replaces the entries from there on (a conflict): they are no longer promised.
                        foreach (var replaced in acked.Keys.Where(k => k >= numbers[0]).ToList())
                        {
                            acked.Remove(replaced);
                        }
                    }
                    else if (parts[0] == "ack")
                    {
                        for (var i = numbers[0]; i <= numbers[1]; i++)
                        {
                            acked[i] = numbers[2];
                        }
                    }
                    else if (parts[0] == "compact")
                    {
                        ackedStart = Math.Max(ackedStart, numbers[0]);
                    }
                }

                await VerifyAsync(dir.Path, acked, ackedStart, $"cycle {cycle}");
            }

            Assert.True(acked.Count > 50, $"the child acknowledged only {acked.Count} entries in {Cycles} runs");
        });

    private static async Task<List<string>> RunAndKillAsync(string directory, int seed, int acksBeforeKill, bool checkLock)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["exec", Path.Combine(AppContext.BaseDirectory, "Raft.Storage.CrashChild.dll"), directory, seed.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        try
        {
            var acks = 0;
            while (acks < acksBeforeKill)
            {
                var line = await child.StandardOutput.ReadLineAsync().WaitAsync(HangGuard)
                    ?? throw new InvalidOperationException($"The child exited early (code {(child.HasExited ? child.ExitCode : -1)}): {await stderr}");
                lines.Add(line);
                acks += line.StartsWith("ack ", StringComparison.Ordinal) ? 1 : 0;
                if (checkLock && acks == 1)
                {
                    // While the child runs, nobody else may open its data directory.
                    Assert.Throws<StorageLockedException>(() => FileStorage.Open(new FileStorageOptions { Directory = directory }));
                }
            }
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no finalizers, no flush, no clean-up in the child.
            await child.WaitForExitAsync().WaitAsync(HangGuard);
        }

        // Lines the child completed before it died are acknowledgements too; a cut-off last line is not.
        var rest = await child.StandardOutput.ReadToEndAsync().WaitAsync(HangGuard);
        var complete = rest.EndsWith('\n') ? rest : rest[..(rest.LastIndexOf('\n') + 1)];
        lines.AddRange(complete.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return lines;
    }

    private static async Task VerifyAsync(string directory, SortedDictionary<long, long> acked, long ackedStart, string context)
    {
        var logger = new ListLogger();
        await using var storage = FileStorage.Open(new FileStorageOptions { Directory = directory }, logger);
        var recovery = await storage.Log.OpenAsync();
        context += $", recovered start {recovery.SnapshotIndex} last {storage.Log.LastIndex}, acknowledged up to {(acked.Count > 0 ? acked.Keys.Max() : 0)}; recovery log: " +
            string.Join(" | ", logger.Messages.Select(m => m.Message));
        Assert.True(recovery.SnapshotIndex >= ackedStart, $"start marker went back from {ackedStart} to {recovery.SnapshotIndex} ({context})");
        var byIndex = recovery.Entries.ToDictionary(e => e.Index);
        foreach (var (index, term) in acked.Where(kv => kv.Key > recovery.SnapshotIndex))
        {
            Assert.True(byIndex.TryGetValue(index, out var entry), $"acknowledged entry {index} is missing after the kill ({context})");
            Assert.Equal(term, entry.Term);
        }

        Assert.All(recovery.Entries, e => Assert.True(DeterministicPayload.Matches(e), $"entry {e.Index} has a wrong payload ({context})"));
    }

    /// <summary>The dotnet host running this test, so the child runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
