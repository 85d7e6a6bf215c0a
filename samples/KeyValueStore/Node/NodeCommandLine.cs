using System.Globalization;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// Turns the friendly <c>node</c> options into configuration keys (<c>Raft:*</c> for the library, <c>Kv:*</c> for the service),
/// so the command line, <c>appsettings.json</c> and environment variables all feed one configuration. Arguments of the form
/// <c>--Section:Key=value</c> pass through unchanged to the standard command-line provider.
/// </summary>
public static class NodeCommandLine
{
    /// <summary>The text printed by <c>node --help</c> and on a bad option.</summary>
    public const string Usage = """
        Usage: KeyValueStore node --id N --members ID=URL,... --http PORT|URL --data DIR [options]

          --id N                 this node's id (positive integer)
          --members LIST         founding members: 1=http://127.0.0.1:7001,2=http://127.0.0.1:7002,...
                                 (Raft transport addresses; include this node unless --join)
          --join                 join an existing cluster instead of founding one (needs --raft)
          --raft URL             this node's Raft address (default: its entry in --members)
          --http PORT|URL        where the HTTP API listens: 8001 means http://127.0.0.1:8001
          --data DIR             data directory (log, hard state, snapshots)
          --snapshot-every N     take a snapshot after N applied entries (default 10000)
          --snapshot-trailing N  entries kept below a snapshot (default 1000)
          --tick-ms N            protocol tick in ms (default 50); --election-ticks N (default 10)
          --cluster-id NAME      cluster name checked on every connection (default hsmraft)
          --fsync MODE           DataSync (default), FullSync or UnsafeNoSync
          --log-level LEVEL      Trace, Debug, Information (default), Warning, Error
          --config FILE          an extra JSON configuration file (same keys as appsettings.json)
          --Section:Key=value    any other configuration key, e.g. --Raft:HeartbeatTicks=2
        """;

    private static readonly Dictionary<string, string> Simple = new(StringComparer.Ordinal)
    {
        ["--id"] = "Raft:NodeId",
        ["--raft"] = "Raft:Address",
        ["--data"] = "Raft:DataDirectory",
        ["--snapshot-every"] = "Raft:SnapshotEveryEntries",
        ["--snapshot-trailing"] = "Raft:SnapshotTrailingEntries",
        ["--tick-ms"] = "Raft:TickIntervalMilliseconds",
        ["--election-ticks"] = "Raft:ElectionTicks",
        ["--cluster-id"] = "Raft:ClusterId",
        ["--fsync"] = "Raft:FsyncMode",
        ["--log-level"] = "Logging:LogLevel:Default",
    };

    /// <summary>The parsed command line: configuration values, extra JSON files, and pass-through arguments.</summary>
    public sealed record Parsed(Dictionary<string, string?> Settings, List<string> ConfigFiles, List<string> PassThrough, bool Help)
    {
        /// <summary>Stop cleanly when standard input closes (set by a parent process, so its nodes never outlive it).</summary>
        public bool StopWhenStdinCloses { get; init; }
    }

    /// <summary>Parses the arguments after <c>node</c>.</summary>
    /// <exception cref="FormatException">An option is unknown, lacks its value, or has a bad value; the message says which and why.</exception>
    public static Parsed Parse(IReadOnlyList<string> args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var files = new List<string>();
        var passThrough = new List<string>();
        var stopWhenStdinCloses = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new FormatException($"Option {arg} needs a value. Run 'KeyValueStore node --help' for the options.");

            if (arg is "--help" or "-h")
            {
                return new Parsed(settings, files, passThrough, Help: true);
            }
            else if (Simple.TryGetValue(arg, out var key))
            {
                settings[key] = Value();
            }
            else if (arg == "--stop-when-stdin-closes")
            {
                stopWhenStdinCloses = true;
            }
            else if (arg == "--join")
            {
                settings["Raft:Join"] = "true";
            }
            else if (arg == "--members")
            {
                AddMembers(settings, Value());
            }
            else if (arg == "--http")
            {
                settings["Kv:Http"] = HttpUrl(Value());
            }
            else if (arg == "--config")
            {
                files.Add(Value());
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                passThrough.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal))
                {
                    passThrough.Add(Value());
                }
            }
            else
            {
                throw new FormatException($"Unknown option '{arg}'.\n{Usage}");
            }
        }

        return new Parsed(settings, files, passThrough, Help: false) { StopWhenStdinCloses = stopWhenStdinCloses };
    }

    /// <summary>Expands <c>1=http://a:1,2=http://b:2</c> into <c>Raft:Members:i:Id</c> and <c>Raft:Members:i:Address</c>.</summary>
    private static void AddMembers(Dictionary<string, string?> settings, string list)
    {
        var parts = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var pair = parts[i].Split('=', 2);
            if (pair.Length != 2 || !ulong.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
            {
                throw new FormatException($"--members: '{parts[i]}' is not ID=URL; write for example 1=http://127.0.0.1:7001,2=http://127.0.0.1:7002.");
            }

            settings[$"Raft:Members:{i}:Id"] = pair[0];
            settings[$"Raft:Members:{i}:Address"] = pair[1];
        }
    }

    /// <summary>A bare port means loopback; anything else must be an absolute http(s) URL.</summary>
    public static string HttpUrl(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            return $"http://127.0.0.1:{port}";
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !uri.IsDefaultPort
            ? value.TrimEnd('/')
            : throw new FormatException($"--http: '{value}' is neither a port nor a URL with a port; use 8001 or http://127.0.0.1:8001.");
    }
}
