using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.DotNextPeer;

/// <summary>
/// The peer from issue 11: DotNext.Net.Cluster 6.12.0, three <see cref="RaftCluster"/> voters in this
/// process using DotNext's TCP transport and its persistent <see cref="WriteAheadLog"/>. Proposals go
/// through <c>ReplicateAsync</c>, DotNext's documented way to append on the leader and wait until the
/// entry is committed and applied.
/// </summary>
/// <param name="walOptions">Creates the log options for one voter's directory: <see cref="Defaults"/> or <see cref="Tuned"/>.</param>
public sealed class DotNextCluster(Func<string, WriteAheadLog.Options> walOptions) : IClusterUnderTest
{
    /// <summary>What an acknowledgement means, read from DotNext 6.12.0's assembly and confirmed with strace.</summary>
    private const string Durability =
        "Durability as shipped: a voter flushes an entry (msync MS_SYNC of its pages, or an O_DSYNC write with private memory, plus an O_DSYNC " +
        "checkpoint) before it marks the entry committed, so the leader's copy is on disk before the client is answered; a follower acknowledges " +
        "AppendEntries once the entries are in its pages, before they are flushed (a background flusher, woken on every append, writes them soon " +
        "after). There is no option to make followers flush before acknowledging (FlushOnCommit is obsolete and always on), and IPersistentState " +
        "cannot be wrapped from outside the library (it has an internal setter).";

    /// <summary>Issue 11's configuration: every option at its default except the directory.</summary>
    public static WriteAheadLog.Options Defaults(string directory) => new() { Location = directory };

    /// <summary>
    /// The two WAL options that matter here, at the same durability: 1 MiB chunk files instead of one OS page
    /// (with 4 KiB chunks, 1 KiB entries start a new memory-mapped file every four entries) and private memory,
    /// which the documentation calls the best write performance.
    /// </summary>
    public static WriteAheadLog.Options Tuned(string directory) => new()
    {
        Location = directory,
        ChunkSize = 1 << 20,
        MemoryManagement = WriteAheadLog.MemoryManagementStrategy.PrivateMemory,
    };

    public const string DefaultConfiguration =
        "RaftCluster.TcpConfiguration (TCP transport, default election timeout 150–300 ms) and WriteAheadLog with default options " +
        "(memory-mapped chunk files of one OS page, 4 KiB here; no integrity hash). " + Durability;

    public const string TunedConfiguration =
        "As DotNext 6.12.0, but WriteAheadLog with ChunkSize = 1 MiB and MemoryManagement = PrivateMemory; the same durability.";

    private readonly List<Voter> voters = [];
    private readonly SemaphoreSlim leaderChanged = new(0);
    private Voter? leader;
    private EndPoint? initialLeader;
    private long initialTerm;
    private int leaderChanges;
    private bool stopped;

    public async Task StartAsync(IReadOnlyList<string> dataDirectories, CancellationToken cancellationToken)
    {
        var endPoints = FreeLoopbackEndPoints(dataDirectories.Count);
        for (var i = 0; i < dataDirectories.Count; i++)
        {
            var stateMachine = new CountingStateMachine();
            var log = new WriteAheadLog(walOptions(dataDirectories[i]), stateMachine);
            var configuration = new RaftCluster.TcpConfiguration(endPoints[i])
            {
                ColdStart = false,
                ConfigurationStorage = null, // null selects DotNext's in-memory membership storage
            };
            // A static three-voter membership: every voter starts knowing all three.
            var storage = configuration.ConfigurationStorage as InMemoryClusterConfigurationStorage<EndPoint>
                ?? throw new InvalidOperationException("DotNext no longer defaults to in-memory membership storage; update DotNextCluster.");
            var members = storage.CreateInitialConfigurationBuilder();
            foreach (var endPoint in endPoints) members.Add(endPoint);
            members.Build();

            var raft = new RaftCluster(configuration) { AuditTrail = log };
            var voter = new Voter(raft, log, stateMachine, endPoints[i]);
            raft.LeaderChanged += (_, member) => OnLeaderChanged(member?.EndPoint);
            voters.Add(voter);
        }
        await Task.WhenAll(voters.Select(v => v.Raft.StartAsync(cancellationToken)));
    }

    public async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        // Wait until all voters name the same leader; every LeaderChanged event re-checks.
        EndPoint? agreed;
        while ((agreed = AgreedLeader()) is null)
            await leaderChanged.WaitAsync(cancellationToken);
        leader = voters.Single(v => v.EndPoint.Equals(agreed));
        initialTerm = leader.Raft.Term;
        Volatile.Write(ref initialLeader, agreed);
    }

    public ValueTask ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var current = leader ?? throw new InvalidOperationException("ProposeAsync before WaitForLeaderAsync.");
        return current.Raft.ReplicateAsync(command, context: null, cancellationToken);
    }

    public int LeaderChanges
    {
        get
        {
            // A term that moved without a visible leader change still means an election disturbed the run.
            var termMoved = voters.Any(v => v.Raft.Term != initialTerm);
            return Math.Max(Volatile.Read(ref leaderChanges), termMoved ? 1 : 0);
        }
    }

    public async Task WaitForReplicationAsync(CancellationToken cancellationToken)
    {
        var committed = leader?.Log.LastCommittedEntryIndex ?? 0;
        // Followers learn the commit index from the next AppendEntries or heartbeat, then apply.
        await Task.WhenAll(voters.Select(v => v.Log.WaitForApplyAsync(committed, cancellationToken).AsTask()));
    }

    public IReadOnlyList<AppliedCommands> Applied => voters.Select(static v => v.StateMachine.Applied).ToArray();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (stopped) return;
        stopped = true;
        await Task.WhenAll(voters.Select(v => v.Raft.StopAsync(cancellationToken)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var voter in voters)
        {
            await voter.Raft.DisposeAsync();
            await voter.Log.DisposeAsync();
        }
        voters.Clear();
        leaderChanged.Dispose();
    }

    private void OnLeaderChanged(EndPoint? newLeader)
    {
        var baseline = Volatile.Read(ref initialLeader);
        if (baseline is not null && !baseline.Equals(newLeader))
            Interlocked.Increment(ref leaderChanges);
        leaderChanged.Release();
    }

    private EndPoint? AgreedLeader()
    {
        var first = voters[0].Raft.Leader?.EndPoint;
        return first is not null && voters.All(v => first.Equals(v.Raft.Leader?.EndPoint)) ? first : null;
    }

    /// <summary>Ports the OS has just handed out; DotNext needs every address before any voter starts.</summary>
    private static IPEndPoint[] FreeLoopbackEndPoints(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners) listener.Start();
        var endPoints = listeners.Select(static l => (IPEndPoint)l.LocalEndpoint).ToArray();
        foreach (var listener in listeners) listener.Stop();
        return endPoints;
    }

    private sealed record Voter(RaftCluster Raft, WriteAheadLog Log, CountingStateMachine StateMachine, IPEndPoint EndPoint);
}
