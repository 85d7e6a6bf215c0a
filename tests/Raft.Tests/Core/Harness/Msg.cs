using HsmRaft.Messages;

namespace HsmRaft.Tests.Core.Harness;

/// <summary>One message of each kind, with neutral contents, for tests that are about terms rather than contents.</summary>
internal static class Msg
{
    public static readonly string[] Kinds =
    [
        nameof(AppendEntries), nameof(AppendEntriesResponse), nameof(Heartbeat), nameof(HeartbeatResponse), nameof(RequestVote),
        nameof(RequestVoteResponse), nameof(InstallSnapshot), nameof(InstallSnapshotResponse), nameof(TimeoutNow),
    ];

    public static RaftMessage Of(string kind, int from, int to, long term)
    {
        var f = Build.Id(from);
        var t = Build.Id(to);
        return kind switch
        {
            nameof(AppendEntries) => new AppendEntries { From = f, To = t, Term = term },
            nameof(AppendEntriesResponse) => new AppendEntriesResponse { From = f, To = t, Term = term },
            nameof(Heartbeat) => new Heartbeat { From = f, To = t, Term = term },
            nameof(HeartbeatResponse) => new HeartbeatResponse { From = f, To = t, Term = term },
            nameof(RequestVote) => new RequestVote { From = f, To = t, Term = term },
            nameof(RequestVoteResponse) => new RequestVoteResponse { From = f, To = t, Term = term },
            nameof(InstallSnapshot) => new InstallSnapshot
            {
                From = f, To = t, Term = term, Metadata = new SnapshotMetadata(0, 0, Build.Voters(1, 2, 3)), Done = true,
            },
            nameof(InstallSnapshotResponse) => new InstallSnapshotResponse { From = f, To = t, Term = term },
            nameof(TimeoutNow) => new TimeoutNow { From = f, To = t, Term = term },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown message kind"),
        };
    }

    /// <summary>True for the messages only a leader sends, which tell the receiver who leads.</summary>
    public static bool ComesFromLeader(string kind) =>
        kind is nameof(AppendEntries) or nameof(Heartbeat) or nameof(InstallSnapshot) or nameof(TimeoutNow);

    public static TheoryData<string> AllKinds() => new(Kinds);
}
