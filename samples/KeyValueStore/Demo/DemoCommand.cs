using System.Globalization;
using HsmRaft.Samples.KeyValueStore.Client;
using Spectre.Console;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary><c>KeyValueStore demo</c>: runs the scripted local cluster and exits 0 only if every acknowledged write was found on
/// every node.</summary>
internal static class DemoCommand
{
    private const string Usage = """
        Usage: KeyValueStore demo [--writers N] [--seconds N] [--snapshot-every N] [--plain] [--keep]

          --writers N         concurrent client writers (default 16)
          --seconds N         length of the measured workload window (default 6)
          --snapshot-every N  snapshot threshold of every node, in entries (default 2000)
          --plain             line-by-line output even on a terminal (the default when output is redirected)
          --keep              keep the nodes' data directories and logs (they are always kept when the demo fails)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        DemoOptions options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n" + Usage);
            return 2;
        }

        if (options.Writers == 0)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var root = Path.Combine(Path.GetTempPath(), $"hsmraft-demo-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var state = new DemoState(root, options.Writers);
        var live = !options.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;
        bool passed;
        await using (var cluster = new LocalCluster(root, NodeArguments(options)))
        using (var client = new KvClient([]))
        {
            var script = new DemoScript(options, state, cluster, client);
            Func<Task<bool>> run = async () =>
            {
                try
                {
                    return await script.RunAsync(cancel.Token);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    state.Log("Interrupted.");
                    return false;
                }
            };
            passed = live ? await LiveView.RunAsync(state, run) : await PlainView.RunAsync(state, run);
        }

        DemoSummary.Print(state, passed, live);
        if (passed && !options.KeepData)
        {
            Directory.Delete(root, recursive: true);
        }
        else
        {
            Console.WriteLine($"Node logs and data are in {root}");
        }

        return passed ? 0 : 1;
    }

    private static List<string> NodeArguments(DemoOptions o) =>
    [
        // 50 ms ticks, elections after 1–2 s of silence: quick to show, yet calm on a loaded 2-core machine.
        "--tick-ms", "50", "--election-ticks", "20",
        "--snapshot-every", o.SnapshotEvery.ToString(CultureInfo.InvariantCulture),
        "--snapshot-trailing", DemoOptions.SnapshotTrailing.ToString(CultureInfo.InvariantCulture),
        "--cluster-id", "kv-demo",

        // Nodes start, die and restart at different moments: reach a peer again within a second rather than up to five.
        "--Raft:ReconnectBackoffMaxMilliseconds=1000",
    ];

    private static DemoOptions Parse(string[] args)
    {
        int writers = 16, seconds = 6, snapshotEvery = 2000;
        bool plain = false, keep = false;
        for (var i = 0; i < args.Length; i++)
        {
            int Number(int min, int max)
            {
                var name = args[i];
                return i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new FormatException($"{name} needs a number from {min} to {max}.");
            }

            switch (args[i])
            {
                case "--writers": writers = Number(1, 256); break;
                case "--seconds": seconds = Number(1, 600); break;
                case "--snapshot-every": snapshotEvery = Number(100, 1_000_000); break;
                case "--plain": plain = true; break;
                case "--keep": keep = true; break;
                case "--help" or "-h": return new DemoOptions(0, 0, 0, true, false);
                default: throw new FormatException($"Unknown demo option '{args[i]}'.");
            }
        }

        return new DemoOptions(writers, seconds, snapshotEvery, plain, keep);
    }
}
