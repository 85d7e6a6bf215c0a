using HsmRaft.Messages;

namespace HsmRaft.Serialization.Protobuf;

/// <summary>Maps the contract types to the wire DTOs and back. Payload memory is shared on the way out, never copied.</summary>
internal static class DtoMapping
{
    public static RequestVoteDto ToDto(RequestVote m) => new()
    {
        From = m.From.Value, To = m.To.Value, Term = m.Term, PreVote = m.PreVote,
        LastLogIndex = m.LastLogIndex, LastLogTerm = m.LastLogTerm, LeadershipTransfer = m.LeadershipTransfer,
    };

    public static RequestVote FromDto(RequestVoteDto d) => new()
    {
        From = d.From, To = d.To, Term = d.Term, PreVote = d.PreVote,
        LastLogIndex = d.LastLogIndex, LastLogTerm = d.LastLogTerm, LeadershipTransfer = d.LeadershipTransfer,
    };

    public static RequestVoteResponseDto ToDto(RequestVoteResponse m) =>
        new() { From = m.From.Value, To = m.To.Value, Term = m.Term, PreVote = m.PreVote, Granted = m.Granted };

    public static RequestVoteResponse FromDto(RequestVoteResponseDto d) =>
        new() { From = d.From, To = d.To, Term = d.Term, PreVote = d.PreVote, Granted = d.Granted };

    public static TimeoutNowDto ToDto(TimeoutNow m) => new() { From = m.From.Value, To = m.To.Value, Term = m.Term };

    public static TimeoutNow FromDto(TimeoutNowDto d) => new() { From = d.From, To = d.To, Term = d.Term };

    public static AppendEntriesDto ToDto(AppendEntries m)
    {
        var entries = new List<EntryDto>(m.Entries.Count);
        foreach (var e in m.Entries)
        {
            entries.Add(new EntryDto { Index = e.Index, Term = e.Term, Kind = (int)e.Kind, Data = e.Data });
        }

        return new AppendEntriesDto
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, PrevLogIndex = m.PrevLogIndex,
            PrevLogTerm = m.PrevLogTerm, LeaderCommit = m.LeaderCommit, Entries = entries,
        };
    }

    public static AppendEntries FromDto(AppendEntriesDto d)
    {
        var entries = new LogEntry[d.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = d.Entries[i];
            if (e.Kind is < 0 or > byte.MaxValue)
            {
                throw new InvalidDataException($"Entry {e.Index} has kind {e.Kind}, which is not a LogEntryKind.");
            }

            entries[i] = new LogEntry(e.Index, e.Term, (LogEntryKind)e.Kind, e.Data);
        }

        return new AppendEntries
        {
            From = d.From, To = d.To, Term = d.Term, PrevLogIndex = d.PrevLogIndex, PrevLogTerm = d.PrevLogTerm,
            LeaderCommit = d.LeaderCommit, Entries = entries,
        };
    }

    public static AppendEntriesResponseDto ToDto(AppendEntriesResponse m) => new()
    {
        From = m.From.Value, To = m.To.Value, Term = m.Term, Success = m.Success,
        Index = m.Index, RejectHint = m.RejectHint, ConflictTerm = m.ConflictTerm,
    };

    public static AppendEntriesResponse FromDto(AppendEntriesResponseDto d) => new()
    {
        From = d.From, To = d.To, Term = d.Term, Success = d.Success,
        Index = d.Index, RejectHint = d.RejectHint, ConflictTerm = d.ConflictTerm,
    };

    public static HeartbeatDto ToDto(Heartbeat m) =>
        new() { From = m.From.Value, To = m.To.Value, Term = m.Term, Commit = m.Commit, Context = m.Context };

    public static Heartbeat FromDto(HeartbeatDto d) =>
        new() { From = d.From, To = d.To, Term = d.Term, Commit = d.Commit, Context = d.Context };

    public static HeartbeatResponseDto ToDto(HeartbeatResponse m) =>
        new() { From = m.From.Value, To = m.To.Value, Term = m.Term, Context = m.Context };

    public static HeartbeatResponse FromDto(HeartbeatResponseDto d) =>
        new() { From = d.From, To = d.To, Term = d.Term, Context = d.Context };

    public static InstallSnapshotDto ToDto(InstallSnapshot m) => new()
    {
        From = m.From.Value, To = m.To.Value, Term = m.Term, Metadata = ToDto(m.Metadata),
        Offset = m.Offset, Data = m.Data, Done = m.Done,
    };

    public static InstallSnapshot FromDto(InstallSnapshotDto d) => new()
    {
        From = d.From, To = d.To, Term = d.Term, Metadata = FromDto(d.Metadata),
        Offset = d.Offset, Data = d.Data, Done = d.Done,
    };

    public static InstallSnapshotResponseDto ToDto(InstallSnapshotResponse m) => new()
    {
        From = m.From.Value, To = m.To.Value, Term = m.Term, SnapshotIndex = m.SnapshotIndex,
        NextOffset = m.NextOffset, Done = m.Done, Rejected = m.Rejected,
    };

    public static InstallSnapshotResponse FromDto(InstallSnapshotResponseDto d) => new()
    {
        From = d.From, To = d.To, Term = d.Term, SnapshotIndex = d.SnapshotIndex,
        NextOffset = d.NextOffset, Done = d.Done, Rejected = d.Rejected,
    };

    private static SnapshotMetadataDto ToDto(SnapshotMetadata m) => new()
    {
        LastIncludedIndex = m.LastIncludedIndex,
        LastIncludedTerm = m.LastIncludedTerm,
        Size = m.Size,
        Configuration = new ConfigurationDto
        {
            Members = [.. m.Configuration.Members.Select(x => new MemberDto { Id = x.Id.Value, Address = x.Address })],
            Voters = [.. m.Configuration.Voters.Select(x => x.Value)],
            Learners = [.. m.Configuration.Learners.Select(x => x.Value)],
            OutgoingVoters = [.. m.Configuration.OutgoingVoters.Select(x => x.Value)],
        },
    };

    private static SnapshotMetadata FromDto(SnapshotMetadataDto? d)
    {
        if (d is null)
        {
            throw new InvalidDataException("InstallSnapshot has no snapshot metadata.");
        }

        var c = d.Configuration ?? new ConfigurationDto();
        var configuration = new ClusterConfiguration(
            c.Members.Select(x => new ClusterMember(x.Id, x.Address)),
            c.Voters.Select(x => (NodeId)x),
            c.Learners.Select(x => (NodeId)x),
            c.OutgoingVoters.Select(x => (NodeId)x));
        return new SnapshotMetadata(d.LastIncludedIndex, d.LastIncludedTerm, configuration, d.Size);
    }
}
