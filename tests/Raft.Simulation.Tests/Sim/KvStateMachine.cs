using System.Text;

namespace HsmRaft.Simulation.Sim;

/// <summary>The commands of the key-value workload, encoded as text so traces stay readable.</summary>
internal static class KvCommand
{
    public static byte[] Put(string key, string value) => Encoding.UTF8.GetBytes($"P {key} {value}");

    public static byte[] Append(string key, string value) => Encoding.UTF8.GetBytes($"A {key} {value}");

    public static byte[] Get(string key) => Encoding.UTF8.GetBytes($"G {key}");

    /// <summary>An opaque command for agreement scenarios: recorded in the log, no effect on the keys.</summary>
    public static byte[] Opaque(string text) => Encoding.UTF8.GetBytes($"X {text}");

    public static string Describe(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);
}

/// <summary>
/// The replicated application: a key-value map applied from committed entries. Besides the data it keeps the applied index,
/// the configuration in force at that index (what a snapshot must carry), and a chain hash over every applied entry, so two
/// nodes that applied the same prefix have the same hash and a restored snapshot can be checked against what was applied.
/// </summary>
internal sealed class KvStateMachine
{
    private readonly SortedDictionary<string, string> _data = new(StringComparer.Ordinal);

    public long Applied { get; private set; }

    public ulong Chain { get; private set; }

    public ClusterConfiguration Config { get; private set; } = ClusterConfiguration.Empty;

    public string Get(string key) => _data.GetValueOrDefault(key, "");

    public static ulong NextChain(ulong chain, LogEntry e) =>
        StableHash.Mix(chain, (ulong)e.Index, (ulong)e.Term, (ulong)e.Kind, StableHash.Of(e.Data.Span));

    /// <summary>Applies the next entry; returns the command's output (the value read, for a GET through the log).</summary>
    public string Apply(LogEntry e)
    {
        if (e.Index != Applied + 1)
        {
            throw new InvalidOperationException($"applying entry {e.Index} after {Applied}");
        }

        Applied = e.Index;
        Chain = NextChain(Chain, e);
        switch (e.Kind)
        {
            case LogEntryKind.Configuration:
                Config = ClusterConfiguration.Decode(e.Data.Span);
                return "";
            case LogEntryKind.Command:
                return ApplyCommand(KvCommand.Describe(e.Data.Span));
            default:
                return "";
        }
    }

    private string ApplyCommand(string text)
    {
        var parts = text.Split(' ', 3);
        switch (parts[0])
        {
            case "P":
                _data[parts[1]] = parts[2];
                return "";
            case "A":
                _data[parts[1]] = Get(parts[1]) + parts[2];
                return "";
            case "G":
                return Get(parts[1]);
            default:
                return "";
        }
    }

    /// <summary>A point-in-time image: applied index, chain hash, configuration, then the pairs in key order.</summary>
    public byte[] Capture()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(Applied);
        w.Write(Chain);
        var config = Config.Encode();
        w.Write(config.Length);
        w.Write(config);
        w.Write(_data.Count);
        foreach (var (k, v) in _data)
        {
            w.Write(k);
            w.Write(v);
        }

        w.Flush();
        return ms.ToArray();
    }

    public static KvStateMachine Restore(byte[] image)
    {
        using var r = new BinaryReader(new MemoryStream(image), Encoding.UTF8);
        var kv = new KvStateMachine { Applied = r.ReadInt64(), Chain = r.ReadUInt64() };
        kv.Config = ClusterConfiguration.Decode(r.ReadBytes(r.ReadInt32()));
        var n = r.ReadInt32();
        for (var i = 0; i < n; i++)
        {
            kv._data[r.ReadString()] = r.ReadString();
        }

        return kv;
    }
}
