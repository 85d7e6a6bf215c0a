using HsmRaft.Simulation.Linearizability;

namespace HsmRaft.Simulation.Sim;

/// <summary>The mix of operations the clients issue.</summary>
internal sealed record WorkloadOptions
{
    public int Clients { get; init; } = 3;

    public int Keys { get; init; } = 3;

    /// <summary>Share of writes that append instead of put.</summary>
    public double AppendShare { get; init; } = 0.3;

    /// <summary>Share of operations that read.</summary>
    public double ReadShare { get; init; } = 0.4;

    /// <summary>Share of reads served through ReadIndex (the rest go through the log).</summary>
    public double ReadIndexShare { get; init; } = 0.6;

    /// <summary>A client gives up waiting after this many ticks; the outcome of its operation is then unknown.</summary>
    public double TimeoutTicks { get; init; } = 40;

    /// <summary>Extra bytes padded onto written values (makes snapshots span several chunks).</summary>
    public int ValuePadding { get; init; }
}

/// <summary>
/// Key-value clients. Each runs one operation at a time against the node it believes leads (learned from NotLeader errors),
/// and records the invocation and response in the <see cref="History"/>. Writes and log reads are proposals whose result is
/// known when the node applies the entry at the ticket's index (same term: it took effect; another term: it was lost);
/// ReadIndex reads are served by the node once its applied index reaches the read index. When a client gives up (timeout,
/// crash), the operation stays in the history with an unknown outcome, and the client moves on.
/// </summary>
internal sealed class KvWorkload
{
    private readonly Cluster _cluster;
    private readonly WorkloadOptions _options;
    private readonly List<Client> _clients = [];
    private bool _stopped;

    private sealed class Client(int id)
    {
        public int Id { get; } = id;

        public NodeId Hint { get; set; }

        public HistoryOp? Current { get; set; }

        public int Seq { get; set; }
    }

    public KvWorkload(Cluster cluster, WorkloadOptions options)
    {
        _cluster = cluster;
        _options = options;
        for (var i = 1; i <= options.Clients; i++)
        {
            _clients.Add(new Client(i));
        }
    }

    public History History { get; } = new();

    public int Completed { get; private set; }

    public bool Idle => _clients.All(c => c.Current is null);

    public void Start()
    {
        _stopped = false;
        foreach (var c in _clients)
        {
            Next(c);
        }
    }

    /// <summary>No new operations; those in flight still finish or time out.</summary>
    public void Stop() => _stopped = true;

    /// <summary>
    /// After the run: one more linearizable read of every key on the leader, added to the history. A write the clients saw
    /// complete that the cluster later lost would make these reads (and so the history) non-linearizable, even if no client
    /// happened to read that key again.
    /// </summary>
    public void FinalReads(double maxTicks)
    {
        var pending = 0;
        for (var k = 0; k < _options.Keys; k++)
        {
            pending++;
            FinalRead("k" + k, maxTicks, () => pending--);
        }

        if (!_cluster.RunUntil(() => pending == 0, maxTicks))
        {
            _cluster.Fail("final reads", $"{pending} final reads not answered within {maxTicks} ticks");
        }
    }

    /// <summary>Reads <paramref name="key"/> on the leader; a read refused because leadership moved (a late TimeoutNow may still
    /// arrive after healing) had no effect and is retried on the new leader.</summary>
    private void FinalRead(string key, double maxTicks, Action done)
    {
        if (!_cluster.RunUntil(() => _cluster.CurrentLeader is not null, maxTicks))
        {
            _cluster.Fail("final reads", "no leader to read from after healing");
        }

        var leader = _cluster.CurrentLeader!;
        var op = History.Invoke(0, key, OpKind.Get, "", $"n{leader.Id} final read");
        leader.Read(key, (value, error) =>
        {
            if (value is null)
            {
                op.Discarded = true;
                _cluster.Loop.After(SimTime.TickMicros, () => FinalRead(key, maxTicks, done));
                return;
            }

            History.Respond(op, value);
            done();
        });
    }

    private void Next(Client c) =>
        _cluster.Loop.After(_cluster.Random.NextInt64(2 * SimTime.TickMicros), () => Step(c));

    private void Step(Client c)
    {
        if (_stopped || c.Current is not null)
        {
            return;
        }

        var rng = _cluster.Random;
        var node = PickNode(c);
        if (node is null)
        {
            Next(c);
            return;
        }

        var key = "k" + rng.Next(_options.Keys);
        c.Seq++;
        var value = $"{c.Id}.{c.Seq};" + new string('x', _options.ValuePadding);
        if (rng.NextDouble() < _options.ReadShare)
        {
            if (rng.NextDouble() < _options.ReadIndexShare)
            {
                ReadIndex(c, node, key);
            }
            else
            {
                Propose(c, node, key, OpKind.Get, "", KvCommand.Get(key));
            }
        }
        else if (rng.NextDouble() < _options.AppendShare)
        {
            Propose(c, node, key, OpKind.Append, value, KvCommand.Append(key, value));
        }
        else
        {
            Propose(c, node, key, OpKind.Put, value, KvCommand.Put(key, value));
        }
    }

    private SimNode? PickNode(Client c)
    {
        if (!c.Hint.IsNone && _cluster.Nodes.TryGetValue(c.Hint, out var hinted) && hinted.IsUp)
        {
            return hinted;
        }

        var up = _cluster.Up.ToList();
        return up.Count == 0 ? null : up[_cluster.Random.Next(up.Count)];
    }

    private void Propose(Client c, SimNode node, string key, OpKind kind, string value, byte[] command)
    {
        var op = History.Invoke(c.Id, key, kind, value, $"n{node.Id} {(kind == OpKind.Get ? "log read" : "log")}");
        c.Current = op;
        var error = node.TryPropose(command, (outcome, output) => Resolve(c, op, outcome, kind == OpKind.Get ? output : null), out _);
        if (error is not null)
        {
            Refused(c, op, error);
            return;
        }

        ArmTimeout(c, op);
    }

    private void ReadIndex(Client c, SimNode node, string key)
    {
        var op = History.Invoke(c.Id, key, OpKind.Get, "", $"n{node.Id} read index");
        c.Current = op;
        node.Read(key, (value, error) =>
        {
            if (value is not null)
            {
                Resolve(c, op, ProposalOutcome.Applied, value);
            }
            else if (error is not null)
            {
                Refused(c, op, error);
            }
            else
            {
                Resolve(c, op, ProposalOutcome.Unknown, null);
            }
        });
        if (c.Current == op)
        {
            ArmTimeout(c, op);
        }
    }

    private void ArmTimeout(Client c, HistoryOp op) =>
        _cluster.Loop.After(SimTime.Ticks(_options.TimeoutTicks), () =>
        {
            if (c.Current == op)
            {
                Resolve(c, op, ProposalOutcome.Unknown, null);
            }
        });

    /// <summary>The node refused the operation outright: it had no effect; retry where the error points.</summary>
    private void Refused(Client c, HistoryOp op, RaftException error)
    {
        if (c.Current != op)
        {
            return;
        }

        op.Discarded = true;
        c.Current = null;
        c.Hint = error is NotLeaderException nl ? nl.LeaderId : NodeId.None;
        if (c.Hint.IsNone)
        {
            // No leader known (an election is under way): back off for a few ticks rather than knock on every door.
            _cluster.Loop.After(SimTime.TickMicros + _cluster.Random.NextInt64(2 * SimTime.TickMicros), () => Step(c));
            return;
        }

        Next(c);
    }

    private void Resolve(Client c, HistoryOp op, ProposalOutcome outcome, string? output)
    {
        if (c.Current != op)
        {
            return;
        }

        c.Current = null;
        switch (outcome)
        {
            case ProposalOutcome.Applied:
                History.Respond(op, op.Kind == OpKind.Get ? output ?? "" : null);
                Completed++;
                break;
            case ProposalOutcome.Lost:
                op.Discarded = true;
                c.Hint = NodeId.None;
                break;
            default:
                // Unknown: a write may still take effect later; a read tells nothing.
                op.Discarded = op.Kind == OpKind.Get;
                c.Hint = NodeId.None;
                break;
        }

        Next(c);
    }
}
