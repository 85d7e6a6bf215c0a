using System.Text.Json;
using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Client;
using HsmRaft.Samples.KeyValueStore.Store;
using Microsoft.Extensions.Options;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// Operator endpoints: status (optionally long-polling for the next change), the recent role/term/membership changes, waiting for an applied index, a dump of the local state
/// (for verification), membership changes by joint consensus, and leadership transfer.
/// </summary>
internal static class AdminEndpoints
{
    private const int MaxWaitMilliseconds = 60_000;

    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin");
        admin.MapGet("/status", StatusAsync);
        admin.MapGet("/wait", WaitForAppliedAsync);
        admin.MapGet("/history", (StatusWatcher watcher) => Results.Ok(watcher.History()));
        admin.MapGet("/dump", Dump);
        admin.MapPost("/members", ChangeMembersAsync);
        admin.MapPost("/transfer", TransferAsync);
    }

    /// <summary><c>?since=V&amp;waitMs=T</c>: answer once the status version exceeds V (a role, term, leader or membership change),
    /// or after T ms. Without <c>since</c>: at once.</summary>
    private static async Task<IResult> StatusAsync(long? since, int? waitMs, NodeStatusBuilder status, StatusWatcher watcher, CancellationToken ct)
    {
        if (since is { } version)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(Math.Clamp(waitMs ?? 10_000, 0, MaxWaitMilliseconds));
            await watcher.WaitForChangeAsync(version, wait.Token);
        }

        return Results.Ok(status.Build());
    }

    /// <summary><c>?applied=N&amp;timeoutMs=T</c>: answer once this node has applied index N (200) or after T ms (504).</summary>
    private static async Task<IResult> WaitForAppliedAsync(long applied, int? timeoutMs, RaftNode node, NodeStatusBuilder status, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(Math.Clamp(timeoutMs ?? 10_000, 0, MaxWaitMilliseconds));
        try
        {
            await node.WaitForAppliedAsync(applied, wait.Token);
            return Results.Ok(status.Build());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Results.Json(new ErrorResponse($"Node {node.Id} has applied {node.Status.AppliedIndex}, not yet {applied}."),
                statusCode: StatusCodes.Status504GatewayTimeout);
        }
    }

    private static IResult Dump(IRaftNode node, KvStateMachine stateMachine)
    {
        var state = stateMachine.State;
        return Results.Ok(new DumpResponse(node.Id.Value, state.AppliedIndex, state.Data.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal)));
    }

    private static Task<IResult> ChangeMembersAsync(HttpContext context, LeaderGate gate, IRaftNode node, NodeStatusBuilder status) =>
        gate.RunAsync(context, async ct =>
        {
            MembershipRequest? request = null;
            string? why = null;
            try
            {
                request = await context.Request.ReadFromJsonAsync<MembershipRequest>(ct);
            }
            catch (JsonException e)
            {
                why = $" ({e.Message})";
            }

            if (request is null || (request.Add is null && request.AddLearners is null && request.Remove is null && request.Promote is null && request.Demote is null))
            {
                return Results.Json(new ErrorResponse(
                    "Send a JSON body such as {\"add\":[{\"id\":4,\"address\":\"http://127.0.0.1:7004\",\"api\":\"http://127.0.0.1:8004\"}],\"remove\":[1]}" + why),
                    statusCode: StatusCodes.Status400BadRequest);
            }

            // Record the new nodes' API addresses first, so clients can be sent to one of them if it becomes leader.
            foreach (var added in (request.Add ?? []).Concat(request.AddLearners ?? []).Where(m => m.Api is not null))
            {
                await node.ProposeAsync(new KvCommand(KvOp.AnnounceApi, "", added.Api, NodeId: added.Id).Encode(), ct);
            }

            await node.ChangeMembershipAsync(new MembershipChange
            {
                AddVoters = Members(request.Add),
                AddLearners = Members(request.AddLearners),
                Remove = Ids(request.Remove),
                Promote = Ids(request.Promote),
                Demote = Ids(request.Demote),
            }, ct);
            return Results.Ok(status.Build());
        });

    /// <summary><c>?to=N</c>: hands leadership to node N (or, without <c>to</c>, to another voter).</summary>
    private static Task<IResult> TransferAsync(ulong? to, HttpContext context, LeaderGate gate, IRaftNode node, NodeStatusBuilder status) =>
        gate.RunAsync(context, async ct =>
        {
            var target = to is { } id ? new NodeId(id) : node.Status.Configuration.Voters.FirstOrDefault(v => v != node.Id);
            if (target.IsNone || target == node.Id || !node.Status.Configuration.Voters.Contains(target))
            {
                return Results.Json(new ErrorResponse($"Node {target} is not another voter; choose one of {string.Join(", ", node.Status.Configuration.Voters)}."),
                    statusCode: StatusCodes.Status400BadRequest);
            }

            await node.TransferLeadershipAsync(target, ct);
            return Results.Ok(status.Build());
        });

    private static List<ClusterMember> Members(List<NewMemberDto>? members) =>
        (members ?? []).Select(m => new ClusterMember(new NodeId(m.Id), m.Address)).ToList();

    private static List<NodeId> Ids(List<ulong>? ids) => (ids ?? []).Select(i => new NodeId(i)).ToList();
}

/// <summary>Builds the <see cref="NodeStatusDto"/> of this node.</summary>
internal sealed class NodeStatusBuilder(IRaftNode node, KvStateMachine stateMachine, StatusWatcher watcher, IOptions<KvServiceOptions> options)
{
    public NodeStatusDto Build()
    {
        var version = watcher.Version;
        var s = node.Status;
        var state = stateMachine.State;
        var c = s.Configuration;
        var members = c.Members.Select(m => new MemberDto(
            m.Id.Value,
            m.Address,
            state.Apis.GetValueOrDefault(m.Id.Value),
            c.Voters.Contains(m.Id) ? "voter" : c.OutgoingVoters.Contains(m.Id) ? "outgoing" : "learner")).ToList();
        return new NodeStatusDto(
            s.Id.Value, s.Role.ToString(), s.Term, s.LeaderId.Value,
            s.LeaderId.IsNone ? null : state.Apis.GetValueOrDefault(s.LeaderId.Value),
            s.CommitIndex, s.AppliedIndex, s.LastLogIndex, s.SnapshotIndex, c.IsJoint, s.MembershipChangeInProgress, members,
            state.Data.Count, stateMachine.Restores, options.Value.Advertised, version);
    }
}
