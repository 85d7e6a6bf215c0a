namespace HsmRaft.Simulation.Linearizability;

/// <summary>The operations of the key-value model.</summary>
internal enum OpKind
{
    Put,
    Append,
    Get,
}

/// <summary>
/// One client operation as the client saw it: when it was invoked and when its response arrived, on a logical clock that
/// orders every invocation and response of the run. An operation whose outcome the client never learned (timeout, crash)
/// has <see cref="Return"/> = <see cref="long.MaxValue"/>: it may have taken effect at any point after its invocation.
/// </summary>
internal sealed class HistoryOp
{
    public int Id { get; init; }

    public int Client { get; init; }

    public required string Key { get; init; }

    public OpKind Kind { get; init; }

    /// <summary>The value written (Put, Append).</summary>
    public string Value { get; init; } = "";

    public long Call { get; init; }

    public long Return { get; set; } = long.MaxValue;

    /// <summary>The value read (Get).</summary>
    public string? Output { get; set; }

    /// <summary>Where and how it ran, for failure reports.</summary>
    public string Via { get; init; } = "";

    /// <summary>Known to have had no effect (refused, or its log entry was replaced): left out of the check.</summary>
    public bool Discarded { get; set; }

    public bool Pending => Return == long.MaxValue;

    public override string ToString() =>
        $"#{Id} c{Client} [{Call},{(Pending ? "?" : Return.ToString(System.Globalization.CultureInfo.InvariantCulture))}] {Kind} {Key}" +
        (Kind == OpKind.Get ? $" -> '{Output}'" : $" '{Value}'") + (Via.Length > 0 ? $" ({Via})" : "");
}

/// <summary>A run's client history.</summary>
internal sealed class History
{
    private long _clock;

    public List<HistoryOp> Ops { get; } = [];

    public HistoryOp Invoke(int client, string key, OpKind kind, string value, string via)
    {
        var op = new HistoryOp { Id = Ops.Count, Client = client, Key = key, Kind = kind, Value = value, Call = ++_clock, Via = via };
        Ops.Add(op);
        return op;
    }

    public void Respond(HistoryOp op, string? output)
    {
        op.Output = output;
        op.Return = ++_clock;
    }

    /// <summary>The operations to check: completed ones, and writes whose outcome is unknown (reads with unknown results say nothing).</summary>
    public IReadOnlyList<HistoryOp> Checkable() =>
        Ops.Where(o => !o.Discarded && (!o.Pending || o.Kind != OpKind.Get)).ToList();
}
