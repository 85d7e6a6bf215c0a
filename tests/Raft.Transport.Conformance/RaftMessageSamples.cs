using System.Security.Cryptography;
using HsmRaft.Messages;

namespace HsmRaft.Transport.Conformance;

/// <summary>Messages of every type with every field set to a non-default value, plus edge cases, for round-trip tests.</summary>
public static class RaftMessageSamples
{
    /// <summary>A joint configuration (C<sub>old,new</sub>) with a learner, as found in snapshot metadata mid-change.</summary>
    public static ClusterConfiguration JointConfiguration { get; } = new(
        [new(1, "node-1.example:7001"), new(2, "node-2.example:7001"), new(3, "node-3.example:7001"), new(4, "node-4.example:7001"), new(5, "ünïcode-5:7001")],
        voters: [1, 2, 4],
        learners: [5],
        outgoingVoters: [1, 2, 3]);

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>One message of each type from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static IReadOnlyList<RaftMessage> OneOfEach(NodeId from, NodeId to) =>
    [
        new RequestVote { From = from, To = to, Term = 7, PreVote = true, LastLogIndex = 41, LastLogTerm = 6, LeadershipTransfer = true },
        new RequestVoteResponse { From = from, To = to, Term = 7, PreVote = true, Granted = true },
        new AppendEntries
        {
            From = from, To = to, Term = 9, PrevLogIndex = 100, PrevLogTerm = 8, LeaderCommit = 99,
            Entries =
            [
                new LogEntry(101, 8, LogEntryKind.Command, Bytes(300, 1)),
                new LogEntry(102, 9, LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty),
                new LogEntry(103, 9, LogEntryKind.Configuration, JointConfiguration.Encode()),
                new LogEntry(104, 9, LogEntryKind.Command, Bytes(1, 2)),
            ],
        },
        new AppendEntriesResponse { From = from, To = to, Term = 9, Success = false, Index = 100, RejectHint = 57, ConflictTerm = 4 },
        new Heartbeat { From = from, To = to, Term = 9, Commit = 98, Context = 12345 },
        new HeartbeatResponse { From = from, To = to, Term = 9, Context = 12345 },
        new InstallSnapshot
        {
            From = from, To = to, Term = 10, Offset = 65536, Done = true, Data = Bytes(4096, 3),
            Metadata = new SnapshotMetadata(5000, 9, JointConfiguration, 69632),
        },
        new InstallSnapshotResponse { From = from, To = to, Term = 10, SnapshotIndex = 5000, NextOffset = 69632, Done = true, Rejected = true },
        new TimeoutNow { From = from, To = to, Term = 11 },
    ];

    /// <summary>Edge cases: default values everywhere, empty batches and chunks, extreme numbers.</summary>
    public static IReadOnlyList<RaftMessage> EdgeCases(NodeId from, NodeId to) =>
    [
        new AppendEntries { From = from, To = to, Term = 1 },
        new AppendEntries { From = from, To = to, Term = long.MaxValue, PrevLogIndex = long.MaxValue - 1, PrevLogTerm = long.MaxValue, LeaderCommit = long.MaxValue },
        new RequestVote { From = from, To = to },
        new AppendEntriesResponse { From = from, To = to, Term = 3, Success = true, Index = long.MaxValue },
        new InstallSnapshot { From = from, To = to, Term = 2, Metadata = new SnapshotMetadata(0, 0, ClusterConfiguration.Empty) },
        new InstallSnapshot
        {
            From = from, To = to, Term = 2, Offset = long.MaxValue - 10,
            Metadata = new SnapshotMetadata(1, 1, ClusterConfiguration.OfVoters(new ClusterMember(from, "a"), new ClusterMember(to, "b")), long.MaxValue),
        },
        new Heartbeat { From = from, To = to, Term = 1, Commit = 0, Context = long.MinValue + 1 },
    ];

    /// <summary>A snapshot chunk of exactly <paramref name="chunkSize"/> bytes.</summary>
    public static InstallSnapshot Chunk(NodeId from, NodeId to, int chunkSize, long offset, int seed, bool done = false) => new()
    {
        From = from, To = to, Term = 5, Offset = offset, Done = done, Data = Bytes(chunkSize, seed),
        Metadata = new SnapshotMetadata(900, 4, JointConfiguration, offset + chunkSize),
    };

    /// <summary>A compact, complete description of a message (payloads as length and SHA-256), for equality assertions.</summary>
    public static string Describe(RaftMessage message) => message switch
    {
        RequestVote m => $"{Head(m)} pre={m.PreVote} last={m.LastLogIndex}@{m.LastLogTerm} transfer={m.LeadershipTransfer}",
        RequestVoteResponse m => $"{Head(m)} pre={m.PreVote} granted={m.Granted}",
        AppendEntries m => $"{Head(m)} prev={m.PrevLogIndex}@{m.PrevLogTerm} commit={m.LeaderCommit} entries=[" +
                           string.Join(",", m.Entries.Select(e => $"{e.Index}@{e.Term}:{e.Kind}:{Digest(e.Data)}")) + "]",
        AppendEntriesResponse m => $"{Head(m)} ok={m.Success} index={m.Index} hint={m.RejectHint}@{m.ConflictTerm}",
        Heartbeat m => $"{Head(m)} commit={m.Commit} ctx={m.Context}",
        HeartbeatResponse m => $"{Head(m)} ctx={m.Context}",
        InstallSnapshot m => $"{Head(m)} meta={m.Metadata.LastIncludedIndex}@{m.Metadata.LastIncludedTerm} size={m.Metadata.Size} " +
                             $"config={Describe(m.Metadata.Configuration)} off={m.Offset} done={m.Done} data={Digest(m.Data)}",
        InstallSnapshotResponse m => $"{Head(m)} snap={m.SnapshotIndex} next={m.NextOffset} done={m.Done} rejected={m.Rejected}",
        TimeoutNow m => Head(m),
        _ => throw new ArgumentException($"Unknown message {message.GetType()}"),
    };

    private static string Describe(ClusterConfiguration c) =>
        $"members[{string.Join(",", c.Members.Select(m => $"{m.Id}={m.Address}"))}] voters[{string.Join(",", c.Voters)}] " +
        $"learners[{string.Join(",", c.Learners)}] outgoing[{string.Join(",", c.OutgoingVoters)}]";

    private static string Head(RaftMessage m) => $"{m.Type} {m.From}->{m.To} t{m.Term}";

    private static string Digest(ReadOnlyMemory<byte> data) =>
        data.Length + "#" + Convert.ToHexString(SHA256.HashData(data.Span))[..16];
}
