namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>A member as reported by <c>GET /admin/status</c>.</summary>
/// <param name="Id">Node id.</param>
/// <param name="Address">Raft transport address.</param>
/// <param name="Api">HTTP API address, when the node announced it.</param>
/// <param name="Role">voter, learner, or outgoing (a voter of the old half of a joint configuration only).</param>
public sealed record MemberDto(ulong Id, string Address, string? Api, string Role);

/// <summary>The answer of <c>GET /admin/status</c>.</summary>
public sealed record NodeStatusDto(
    ulong Id,
    string Role,
    long Term,
    ulong LeaderId,
    string? LeaderApi,
    long CommitIndex,
    long AppliedIndex,
    long LastLogIndex,
    long SnapshotIndex,
    bool Joint,
    bool MembershipChangeInProgress,
    List<MemberDto> Members,
    int Keys,
    int SnapshotRestores,
    string Api,
    long Version)
{
    /// <summary>True when this node is the leader.</summary>
    public bool IsLeader => Role == "Leader";
}

/// <summary>A node to add in <c>POST /admin/members</c>.</summary>
/// <param name="Id">Its node id.</param>
/// <param name="Address">Its Raft transport address.</param>
/// <param name="Api">Its HTTP API address (optional; recorded so clients can be sent there if it becomes leader).</param>
public sealed record NewMemberDto(ulong Id, string Address, string? Api = null);

/// <summary>The body of <c>POST /admin/members</c>: any combination, applied in one joint-consensus change.</summary>
public sealed record MembershipRequest(
    List<NewMemberDto>? Add = null,
    List<NewMemberDto>? AddLearners = null,
    List<ulong>? Remove = null,
    List<ulong>? Promote = null,
    List<ulong>? Demote = null);

/// <summary>The body of <c>POST /kv/{key}/cas</c>: set <paramref name="Value"/> if the current value is
/// <paramref name="Expected"/> (null: only if the key is absent).</summary>
public sealed record CasRequest(string? Expected, string Value);

/// <summary>The answer to a write.</summary>
/// <param name="Key">The key.</param>
/// <param name="Succeeded">False for a compare-and-swap that did not match (HTTP 409) or a delete of a missing key.</param>
/// <param name="Value">The key's value after the command, or the value that made a compare-and-swap fail.</param>
/// <param name="Revision">The log index of the key's last change.</param>
public sealed record WriteResponse(string Key, bool Succeeded, string? Value, long Revision);

/// <summary>The answer of <c>GET /admin/dump</c>: this node's whole state (local, not linearizable).</summary>
public sealed record DumpResponse(ulong Node, long AppliedIndex, Dictionary<string, string> Items);

/// <summary>An error answer: what went wrong and, when known, the leader to retry at.</summary>
public sealed record ErrorResponse(string Error, ulong LeaderId = 0, string? LeaderApi = null);

/// <summary>One entry of <c>GET /admin/history</c>: a change of role, term, leader or membership seen by a node.</summary>
public sealed record StatusEventDto(DateTimeOffset At, string Role, long Term, ulong LeaderId, string Configuration);
