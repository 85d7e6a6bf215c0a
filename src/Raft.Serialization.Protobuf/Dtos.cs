using ProtoBuf;

namespace HsmRaft.Serialization.Protobuf;

// The wire schema, one DTO per message type (the frame header names the type, so no oneof is needed).
// Field numbers are part of the wire format: never renumber or reuse one; add new fields with new numbers.
// Fields 1-3 of every message are From, To and Term.

[ProtoContract]
internal sealed class RequestVoteDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public bool PreVote { get; set; }
    [ProtoMember(5)] public long LastLogIndex { get; set; }
    [ProtoMember(6)] public long LastLogTerm { get; set; }
    [ProtoMember(7)] public bool LeadershipTransfer { get; set; }
}

[ProtoContract]
internal sealed class RequestVoteResponseDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public bool PreVote { get; set; }
    [ProtoMember(5)] public bool Granted { get; set; }
}

[ProtoContract]
internal sealed class TimeoutNowDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
}

[ProtoContract]
internal sealed class EntryDto
{
    [ProtoMember(1)] public long Index { get; set; }
    [ProtoMember(2)] public long Term { get; set; }
    [ProtoMember(3)] public int Kind { get; set; }

    // Opaque bytes: the user's command, or an encoded configuration. Written straight from the caller's memory.
    [ProtoMember(4)] public ReadOnlyMemory<byte> Data { get; set; }
}

[ProtoContract]
internal sealed class AppendEntriesDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public long PrevLogIndex { get; set; }
    [ProtoMember(5)] public long PrevLogTerm { get; set; }
    [ProtoMember(6)] public long LeaderCommit { get; set; }
    [ProtoMember(7)] public List<EntryDto> Entries { get; set; } = [];
}

[ProtoContract]
internal sealed class AppendEntriesResponseDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public bool Success { get; set; }
    [ProtoMember(5)] public long Index { get; set; }
    [ProtoMember(6)] public long RejectHint { get; set; }
    [ProtoMember(7)] public long ConflictTerm { get; set; }
}

[ProtoContract]
internal sealed class HeartbeatDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public long Commit { get; set; }
    [ProtoMember(5)] public long Context { get; set; }
}

[ProtoContract]
internal sealed class HeartbeatResponseDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public long Context { get; set; }
}

[ProtoContract]
internal sealed class MemberDto
{
    [ProtoMember(1)] public ulong Id { get; set; }
    [ProtoMember(2)] public string Address { get; set; } = "";
}

[ProtoContract]
internal sealed class ConfigurationDto
{
    [ProtoMember(1)] public List<MemberDto> Members { get; set; } = [];
    [ProtoMember(2, IsPacked = true)] public List<ulong> Voters { get; set; } = [];
    [ProtoMember(3, IsPacked = true)] public List<ulong> Learners { get; set; } = [];
    [ProtoMember(4, IsPacked = true)] public List<ulong> OutgoingVoters { get; set; } = [];
}

[ProtoContract]
internal sealed class SnapshotMetadataDto
{
    [ProtoMember(1)] public long LastIncludedIndex { get; set; }
    [ProtoMember(2)] public long LastIncludedTerm { get; set; }
    [ProtoMember(3)] public long Size { get; set; }
    [ProtoMember(4)] public ConfigurationDto? Configuration { get; set; }
}

[ProtoContract]
internal sealed class InstallSnapshotDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public SnapshotMetadataDto? Metadata { get; set; }
    [ProtoMember(5)] public long Offset { get; set; }
    [ProtoMember(6)] public ReadOnlyMemory<byte> Data { get; set; }
    [ProtoMember(7)] public bool Done { get; set; }
}

[ProtoContract]
internal sealed class InstallSnapshotResponseDto
{
    [ProtoMember(1)] public ulong From { get; set; }
    [ProtoMember(2)] public ulong To { get; set; }
    [ProtoMember(3)] public long Term { get; set; }
    [ProtoMember(4)] public long SnapshotIndex { get; set; }
    [ProtoMember(5)] public long NextOffset { get; set; }
    [ProtoMember(6)] public bool Done { get; set; }
    [ProtoMember(7)] public bool Rejected { get; set; }
}
