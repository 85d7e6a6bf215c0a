using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using HsmRaft.Benchmarks.Harness;

namespace HsmRaft.Benchmarks.DotNextPeer;

/// <summary>
/// The peer from issue 11: DotNext.Net.Cluster 6.12.0, three <see cref="RaftCluster"/> voters in this
/// process using DotNext's TCP transport and its persistent <see cref="WriteAheadLog"/>, everything else
/// at its defaults. Proposals go through <c>ReplicateAsync</c>, DotNext's documented way to append on the
/// leader and wait until the entry is committed and applied.
/// </summary>
public sealed class DotNextCluster : IClusterUnderTest
{
    private readonly List<Voter> voters = [];
    private readonly SemaphoreSlim leaderChanged = new(0);
    private Voter? leader;
    private EndPoint? initialLeader;
    private long initialTerm;
    private int leaderChanges;
    private bool stopped;

    public string Name => "DotNext 6.12.0";

    public string Configuration =>
        "RaftCluster.TcpConfiguration (TCP transport, default election timeout 150–300 ms) and WriteAheadLog with default options " +
        "(memory-mapped 4 KiB chunks, no integrity hash; FlushOnCommit is obsolete and always on). Durability as shipped: an entry is " +
        "flushed (msync MS_SYNC of its pages + O_DSYNC checkpoint) before a voter marks it committed, so the leader's copy is on disk " +
        "before the client is answered; a follower acknowledges AppendEntries once the entries are in its memory-mapped pages, before " +
        "they are flushed (a background flusher, woken on every append, writes them soon after). There is no option to make followers " +
        "fsync before acknowledging, and IPersistentState cannot be wrapped from outside the library (it has an internal setter).";

    public async Task StartAsync(IReadOnlyList<string> dataDirectories, CancellationToken cancellationToken)
    {
        var endPoints = FreeLoopbackEndPoints(dataDirectories.Count);
        for (var i = 0; i < dataDirectories.Count; i++)
        {
            var stateMachine = new CountingStateMachine();
            var log = new WriteAheadLog(new WriteAheadLog.Options { Location = dataDirectories[i] }, stateMachine);
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
