using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Simulation.Sim;

/// <summary>What became of a proposal the client is waiting for.</summary>
internal enum ProposalOutcome
{
    /// <summary>The entry applied at the ticket's index has the ticket's term: the command took effect.</summary>
    Applied,

    /// <summary>Another entry was applied at that index: the command never took effect.</summary>
    Lost,

    /// <summary>The node crashed (or skipped the index by installing a snapshot) before the outcome was known.</summary>
    Unknown,
}

/// <summary>
/// One simulated server: a <see cref="RaftCore"/> (absent while crashed), its disk (<see cref="ISimStorage"/>: the
/// <see cref="SimStorage"/> model or the real file stores on a simulated disk; survives crashes), its key-value state machine (volatile, rebuilt from the snapshot and the log on restart), and the runtime glue
/// that performs each <see cref="Ready"/> in the documented order. The Ready processing lives in SimNode.Ready.cs.
/// </summary>
internal sealed partial class SimNode
{
    private readonly Cluster _cluster;
    private readonly Dictionary<long, List<(long Term, Action<ProposalOutcome, string> Done)>> _proposals = [];
    private readonly List<(long Index, string Key, Action<string?, RaftException?> Done)> _reads = [];
    private readonly Dictionary<long, Action<CoreCompletion?>> _requests = [];

    public SimNode(Cluster cluster, NodeId id)
    {
        _cluster = cluster;
        Id = id;
        Storage = cluster.Options.Storage == StorageBackend.File
            ? new FileSimStorage(id, cluster.Fail, cluster.Random, cluster.Options.SegmentSize)
            : new SimStorage(id, cluster.Fail);
    }

    public NodeId Id { get; }

    public ISimStorage Storage { get; }

    public RaftCore? Core { get; private set; }

    public KvStateMachine Kv { get; private set; } = new();

    public bool IsUp => Core is not null;

    /// <summary>Stopped for good (e.g. removed from the cluster): healing does not restart it.</summary>
    public bool Retired { get; set; }

    /// <summary>Bumped on every start and crash; scheduled callbacks of an earlier life see a different value and do nothing.</summary>
    public int Incarnation { get; private set; }

    public int Restarts { get; private set; }

    /// <summary>Snapshot chunks the leader asked for but the store no longer held (it keeps only its latest snapshot).</summary>
    public int StaleChunkRequests { get; private set; }

    public int SnapshotsInstalled { get; private set; }

    public int SnapshotsTaken { get; private set; }

    /// <summary>The longest the durable log has been (entries after the compaction point), to check the snapshot policy bounds it.</summary>
    public long MaxDurableLogLength { get; private set; }

    public RaftStatus Status => Core?.Status ?? throw new InvalidOperationException($"node {Id} is down");

    /// <summary>Starts (or restarts) the core from what the disk holds.</summary>
    public void Start()
    {
        if (Core is not null)
        {
            return;
        }

        RaftCoreInitialState init;
        try
        {
            init = Storage.Recover();
        }
        catch (Exception e) when (e is not SimulationFailure)
        {
            // The node refuses to start (e.g. a corrupted file); it stays down, and the failure names the cause.
            _cluster.Trace("refused", Id, $"{e.GetType().Name}: {e.Message}");
            _cluster.Fail("node recovers from its storage", $"node {Id} cannot start: {e.GetType().Name}: {e.Message}", e);
            throw;
        }

        Kv = Storage.Snapshot is { } snapshot ? RestoreChecked(Storage.SnapshotData, snapshot) : new KvStateMachine();
        Incarnation++;
        if (Incarnation > 1)
        {
            Restarts++;
        }

        var options = _cluster.Options.CoreOptions(Id, _cluster.Random.Next());
        try
        {
            Core = new RaftCore(options, init);
        }
        catch (Exception e)
        {
            _cluster.Fail("core rejected its recovered state", $"node {Id}: {e.Message}", e);
        }

        _cluster.Trace("start", Id, $"incarnation {Incarnation} term={init.HardState.Term} vote={init.HardState.VotedFor} " +
                                    $"commit={init.HardState.Commit} log=({Storage.LogStartIndex},{Storage.LastIndex}] snapshot={Storage.SnapshotIndex}");
        _cluster.Checker.OnStart(this);
        var incarnation = Incarnation;
        ScheduleTick(incarnation, _cluster.Loop.Now + 1 + _cluster.Random.NextInt64(SimTime.TickMicros));
        Input("started", null, static _ => { });
    }

    private void ScheduleTick(int incarnation, long at) =>
        _cluster.Loop.At(at, () =>
        {
            if (incarnation != Incarnation || Core is null)
            {
                return;
            }

            Input(null, null, static c => c.Tick());
            ScheduleTick(incarnation, at + SimTime.TickMicros);
        });

    /// <summary>Feeds one input to the core, performs the resulting work, and checks the invariants.</summary>
    public void Input(string? kind, object? detail, Action<RaftCore> action)
    {
        if (Core is not { } core)
        {
            return;
        }

        if (IsPaused)
        {
            // A paused process does nothing: its clock does not tick, and everything else waits until it resumes.
            if (kind is not null)
            {
                var incarnation = Incarnation;
                _cluster.Loop.At(PausedUntil, () =>
                {
                    if (incarnation == Incarnation)
                    {
                        Input(kind, detail, action);
                    }
                });
            }

            return;
        }

        if (kind is not null)
        {
            _cluster.Trace(kind, Id, detail);
        }

        try
        {
            action(core);
        }
        catch (Exception e) when (e is not SimulationFailure)
        {
            _cluster.Fail("core threw", $"node {Id} on {kind ?? "tick"} {detail}: {e.GetType().Name}: {e.Message}", e);
        }

        Pump();
        _cluster.Checker.AfterStep(this);
    }

    /// <summary>Until when the process is paused (a long GC pause or a stalled VM); in virtual microseconds.</summary>
    public long PausedUntil { get; private set; }

    public bool IsPaused => PausedUntil > _cluster.Loop.Now;

    /// <summary>Freezes the process for <paramref name="micros"/>: no ticks, no messages, no disk completions until it resumes.</summary>
    public void Pause(long micros)
    {
        PausedUntil = Math.Max(PausedUntil, _cluster.Loop.Now + micros);
        _cluster.Trace("pause", Id, $"until {PausedUntil / (double)SimTime.TickMicros:0.000}");
    }

    /// <summary>Proposes a command; <paramref name="done"/> learns its fate. Returns the core's refusal, if any.</summary>
    public RaftException? TryPropose(byte[] command, Action<ProposalOutcome, string>? done, out ProposalTicket ticket)
    {
        ticket = default;
        if (Core is null || IsPaused)
        {
            // A client cannot tell a paused node from a dead one: its request times out without being taken.
            return new RaftException($"node {Id} is down or not responding");
        }

        RaftException? error = null;
        ProposalTicket result = default;
        Input("propose", KvCommand.Describe(command), core =>
        {
            try
            {
                result = core.Propose(command);
            }
            catch (RaftException e)
            {
                error = e;
                return;
            }

            // Registered before the batch is processed: a one-node cluster commits and applies within this input.
            if (done is not null)
            {
                if (!_proposals.TryGetValue(result.Index, out var waiters))
                {
                    _proposals[result.Index] = waiters = [];
                }

                waiters.Add((result.Term, done));
            }
        });
        ticket = result;
        return error;
    }

    /// <summary>A linearizable read of <paramref name="key"/> through ReadIndex, served here once applied reaches the read index.</summary>
    public void Read(string key, Action<string?, RaftException?> done)
    {
        if (Core is null)
        {
            done(null, new RaftException($"node {Id} is down"));
            return;
        }

        Request("read", key, (core, id) => core.ReadIndex(id), c =>
        {
            if (c is not { Error: null } ok)
            {
                done(null, c?.Error);
                return;
            }

            _reads.Add((ok.Index, key, done));
            ServeReads();
        });
    }

    /// <summary>Starts a request answered through <see cref="Ready.Completions"/> (null when the node crashed first).</summary>
    public void Request(string kind, object? detail, Action<RaftCore, long> start, Action<CoreCompletion?> done)
    {
        if (Core is null)
        {
            done(null);
            return;
        }

        var id = _cluster.NextRequestId();
        _requests[id] = done;
        Input(kind, detail, core => start(core, id));
    }

    /// <summary>Loses power: the disk keeps what was durable (and, if a batch was being written, a random part of it).</summary>
    public void Crash(string reason)
    {
        if (Core is null)
        {
            return;
        }

        var detail = Storage.Crash(_inflight, _keepNothingOfNextPersist, _cluster.Random);
        Core = null;
        _inflight = null;
        _incoming = null;
        _capturing = false;
        CancelCrashDuringNextPersist();
        Incarnation++;
        _cluster.Trace("crash", Id, $"{reason}; {detail}");
        _cluster.Checker.OnCrash(this);

        var proposals = _proposals.Values.SelectMany(w => w).ToList();
        var reads = _reads.ToList();
        var requests = _requests.Values.ToList();
        _proposals.Clear();
        _reads.Clear();
        _requests.Clear();
        foreach (var (_, done) in proposals)
        {
            done(ProposalOutcome.Unknown, "");
        }

        foreach (var (_, _, done) in reads)
        {
            done(null, null);
        }

        foreach (var done in requests)
        {
            done(null);
        }
    }

    /// <summary>Crashes the node in the middle of writing its next batch that needs the disk (between GetReady and Advance) and
    /// matches <paramref name="when"/> (any, by default): a random part of the batch survives, or none of it with
    /// <paramref name="keepNothing"/>.</summary>
    public void CrashDuringNextPersist(bool keepNothing = false, Func<Ready, bool>? when = null)
    {
        _crashDuringNextPersist = true;
        _keepNothingOfNextPersist = keepNothing;
        _crashWhen = when;
    }

    /// <summary>Disarms <see cref="CrashDuringNextPersist"/> if it has not fired yet.</summary>
    public void CancelCrashDuringNextPersist()
    {
        _crashDuringNextPersist = false;
        _keepNothingOfNextPersist = false;
        _crashWhen = null;
    }

    /// <summary>True while a snapshot the node took is being written (between capture and commit).</summary>
    public bool IsSavingSnapshot => _capturing;

    /// <summary>Called after the node installed a snapshot received from the leader (scenarios use it to time faults).</summary>
    public Action<SimNode>? AfterInstall { get; set; }

    private void Send(RaftMessage m)
    {
        _cluster.Checker.OnSend(this, m);
        _cluster.Network.Send(m);
    }

    private void ServeReads()
    {
        for (var i = 0; i < _reads.Count; i++)
        {
            var (index, key, done) = _reads[i];
            if (Kv.Applied >= index)
            {
                _reads.RemoveAt(i--);
                done(Kv.Get(key), null);
            }
        }
    }

    private KvStateMachine RestoreChecked(byte[] image, SnapshotMetadata meta)
    {
        var kv = KvStateMachine.Restore(image);
        if (kv.Applied != meta.LastIncludedIndex)
        {
            _cluster.Fail("snapshot metadata mismatch", $"node {Id}: snapshot {meta.LastIncludedIndex} holds state applied through {kv.Applied}");
        }

        if (!kv.Config.Equals(meta.Configuration))
        {
            _cluster.Fail("snapshot membership mismatch",
                $"node {Id}: snapshot {meta.LastIncludedIndex} metadata says {meta.Configuration}, its state was captured under {kv.Config}");
        }

        _cluster.Checker.OnRestored(this, kv);
        return kv;
    }

    public override string ToString() => Core is { } c
        ? $"n{Id} {c.Status.Role} t{c.Status.Term} commit={c.Status.CommitIndex} applied={Kv.Applied} last={c.Status.LastLogIndex} snap={Storage.SnapshotIndex}"
        : $"n{Id} down";
}
