namespace HsmRaft.Storage.Tests;

/// <summary>What a node's storage holds: the model the crash tests compare recovery with.</summary>
internal sealed record StorageModel(long StartIndex, long StartTerm, IReadOnlyList<LogEntry> Entries, PersistentState? State, SnapshotMetadata? Snapshot, byte[]? SnapshotData)
{
    public static StorageModel Empty { get; } = new(0, 0, [], null, null, null);

    public long LastIndex => StartIndex + Entries.Count;

    public long LastTerm => Entries.Count > 0 ? Entries[^1].Term : StartTerm;

    public long TermAt(long index) => index == StartIndex ? StartTerm : Entries[(int)(index - StartIndex - 1)].Term;
}

/// <summary>One storage operation of a randomized workload.</summary>
internal abstract record StorageOp
{
    public abstract StorageModel Apply(StorageModel m);

    public abstract Task RunAsync(FileStorage storage);
}

internal sealed record AppendOp(List<LogEntry> Batch) : StorageOp
{
    public override StorageModel Apply(StorageModel m) =>
        m with { Entries = [.. m.Entries.Take((int)(Batch[0].Index - m.StartIndex - 1)), .. Batch] };

    public override Task RunAsync(FileStorage storage) => storage.Log.AppendAsync(Batch).AsTask();
}

internal sealed record CompactOp(long Index, long Term) : StorageOp
{
    public override StorageModel Apply(StorageModel m)
    {
        if (Index <= m.StartIndex)
        {
            return m;
        }

        var keep = Index < m.LastIndex && m.TermAt(Index) == Term;
        return m with { StartIndex = Index, StartTerm = Term, Entries = keep ? [.. m.Entries.Skip((int)(Index - m.StartIndex))] : [] };
    }

    public override Task RunAsync(FileStorage storage) => storage.Log.CompactAsync(Index, Term).AsTask();
}

internal sealed record SaveStateOp(PersistentState State) : StorageOp
{
    public override StorageModel Apply(StorageModel m) => m with { State = State };

    public override Task RunAsync(FileStorage storage) => storage.Stable.SaveAsync(State).AsTask();
}

internal sealed record SnapshotOp(SnapshotMetadata Metadata, byte[] Data, int Chunks) : StorageOp
{
    public override StorageModel Apply(StorageModel m) => m with { Snapshot = Metadata with { Size = Data.Length }, SnapshotData = Data };

    public override async Task RunAsync(FileStorage storage)
    {
        await using var sink = await storage.Snapshots.CreateAsync(Metadata);
        var chunk = (Data.Length / Chunks) + 1;
        for (var at = 0; at < Data.Length; at += chunk)
        {
            await sink.WriteAsync(Data.AsMemory(at, Math.Min(chunk, Data.Length - at)));
        }

        await sink.CommitAsync();
    }
}

/// <summary>Generates a reproducible mix of appends (some conflicting), compactions (some past the end or conflicting),
/// hard-state saves and snapshots.</summary>
internal static class Workload
{
    private static readonly ClusterConfiguration Config = ClusterConfiguration.OfVoters(new ClusterMember(1, "a"), new ClusterMember(2, "b"), new ClusterMember(3, "c"));

    public static List<StorageOp> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var model = StorageModel.Empty;
        var ops = new List<StorageOp>();
        long term = 1;
        while (ops.Count < count)
        {
            StorageOp op;
            var roll = random.Next(100);
            if (roll < 60 || model.Entries.Count == 0)
            {
                var first = model.LastIndex + 1;
                if (roll < 12 && model.Entries.Count > 0)
                {
                    first = model.LastIndex - random.Next(Math.Min(6, model.Entries.Count));
                    term++;
                }

                term = Math.Max(term, model.LastTerm);
                op = new AppendOp([.. Enumerable.Range(0, random.Next(1, 9)).Select(i => Entries.Make(first + i, term, random.Next(0, 600)))]);
            }
            else if (roll < 72)
            {
                var index = model.StartIndex + random.Next(1, model.Entries.Count + 4);
                var stored = index <= model.LastIndex ? model.TermAt(index) : model.LastTerm;
                var mismatch = random.Next(5) == 0;
                op = new CompactOp(index, mismatch ? stored + 1 : stored);
                if (mismatch || index > model.LastIndex)
                {
                    term = Math.Max(term, stored + 1);
                }
            }
            else if (roll < 88)
            {
                op = new SaveStateOp(new PersistentState(new HardState(term, (ulong)random.Next(0, 4), random.Next(0, 50)), Config));
            }
            else
            {
                var index = (model.Snapshot?.LastIncludedIndex ?? 0) + random.Next(1, 20);
                op = new SnapshotOp(new SnapshotMetadata(index, term, Config), Entries.Payload(index, term, random.Next(0, 3000)), random.Next(1, 4));
            }

            ops.Add(op);
            model = op.Apply(model);
        }

        return ops;
    }
}
