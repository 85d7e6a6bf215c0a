using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>
/// The simulated network: every message gets a random delay (so messages reorder), and may be dropped, duplicated or held
/// back for a long time according to <see cref="Faults"/>. Links can be cut one way or both ways, which builds any partition:
/// isolating a node, splitting the cluster, or a one-way link. A cut is checked when a message is sent and again when it
/// would arrive, so messages in flight when a partition forms are lost, as on a real network.
/// </summary>
internal sealed class SimNetwork(Cluster cluster)
{
    private readonly HashSet<(NodeId From, NodeId To)> _cut = [];
    private readonly HashSet<NodeId> _isolated = [];
    private readonly Dictionary<RaftMessageType, int> _counts = [];

    public NetworkFaults Faults { get; set; } = NetworkFaults.Reliable;

    /// <summary>A targeted fault for scripted scenarios: messages it returns true for are lost.</summary>
    public Func<RaftMessage, bool>? DropIf { get; set; }

    public long MessagesSent { get; private set; }

    public long BytesSent { get; private set; }

    /// <summary>Payload bytes of log entries carried by AppendEntries (each entry counts every time it is sent).</summary>
    public long EntryBytesSent { get; private set; }

    public int Count(RaftMessageType type) => _counts.GetValueOrDefault(type);

    /// <summary>Rejected AppendEntries answers (the follower's log did not match), for the fast back-off bound.</summary>
    public int AppendRejections { get; private set; }

    public bool IsIsolated(NodeId node) => _isolated.Contains(node);

    public bool Blocked(NodeId from, NodeId to) => _isolated.Contains(from) || _isolated.Contains(to) || _cut.Contains((from, to));

    /// <summary>Cuts every link to and from <paramref name="node"/>.</summary>
    public void Isolate(NodeId node)
    {
        _isolated.Add(node);
        cluster.Trace("net", node, "isolated");
    }

    public void Reconnect(NodeId node)
    {
        _isolated.Remove(node);
        cluster.Trace("net", node, "reconnected");
    }

    /// <summary>Cuts the link from <paramref name="from"/> to <paramref name="to"/> only (the reverse direction still works).</summary>
    public void CutOneWay(NodeId from, NodeId to)
    {
        _cut.Add((from, to));
        cluster.Trace("net", from, $"cut one way {from}->{to}");
    }

    /// <summary>Splits the nodes into groups that cannot talk to each other.</summary>
    public void Partition(IReadOnlyList<IReadOnlyCollection<NodeId>> groups)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            for (var j = 0; j < groups.Count; j++)
            {
                if (i == j)
                {
                    continue;
                }

                foreach (var a in groups[i])
                {
                    foreach (var b in groups[j])
                    {
                        _cut.Add((a, b));
                    }
                }
            }
        }

        cluster.Trace("net", NodeId.None, "partition " + string.Join(" | ", groups.Select(g => string.Join(",", g.Order()))));
    }

    /// <summary>Restores every link.</summary>
    public void Heal()
    {
        _cut.Clear();
        _isolated.Clear();
        cluster.Trace("net", NodeId.None, "healed");
    }

    public void Send(RaftMessage m)
    {
        MessagesSent++;
        BytesSent += SizeOf(m);
        _counts[m.Type] = _counts.GetValueOrDefault(m.Type) + 1;
        if (m is AppendEntriesResponse { Success: false })
        {
            AppendRejections++;
        }

        if (m is AppendEntries ae)
        {
            EntryBytesSent += ae.Entries.Sum(e => (long)e.Data.Length);
        }

        var rng = cluster.Random;
        if (Blocked(m.From, m.To) || (Faults.DropRate > 0 && rng.NextDouble() < Faults.DropRate) || DropIf?.Invoke(m) == true)
        {
            cluster.Trace("drop", m.From, m);
            return;
        }

        Schedule(m, rng);
        if (Faults.DuplicateRate > 0 && rng.NextDouble() < Faults.DuplicateRate)
        {
            Schedule(m, rng);
        }
    }

    private void Schedule(RaftMessage m, Random rng)
    {
        var delay = Faults.MinDelay + (long)(rng.NextDouble() * (Faults.MaxDelay - Faults.MinDelay));
        if (Faults.LongDelayRate > 0 && rng.NextDouble() < Faults.LongDelayRate)
        {
            delay += (long)(rng.NextDouble() * Faults.LongDelayMax);
        }

        cluster.Loop.After(delay, () =>
        {
            if (Blocked(m.From, m.To))
            {
                cluster.Trace("lost", m.To, m);
                return;
            }

            cluster.Deliver(m);
        });
    }

    /// <summary>An estimate of the encoded size: a fixed header plus payloads.</summary>
    public static long SizeOf(RaftMessage m) => 32 + m switch
    {
        AppendEntries a => a.Entries.Sum(e => e.SizeInBytes),
        InstallSnapshot s => s.Data.Length + 64,
        _ => 0,
    };
}
