using HsmRaft.Core;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Client;
using HsmRaft.Samples.KeyValueStore.Store;
using Microsoft.Extensions.Options;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// Sends requests that need the leader to it: a follower answers <c>307 Temporary Redirect</c> with <c>Location</c> at the same
/// path on the leader's API (method and body are preserved by 307, and the client learns the leader), or <c>503</c> with
/// <c>Retry-After</c> while no leader (or its API address) is known. Redirecting rather than proxying keeps one network hop per
/// request and never hides from the client which node did the work. It also maps Raft's errors to HTTP answers.
/// </summary>
public sealed class LeaderGate(IRaftNode node, KvStateMachine stateMachine, IOptions<KvServiceOptions> options)
{
    /// <summary>Null when this node is the leader; otherwise the answer that sends the client on.</summary>
    public IResult? RequireLeader(HttpContext context)
    {
        var status = node.Status;
        return status.Role == RaftRole.Leader ? null : SendToLeader(context, status.LeaderId);
    }

    /// <summary>Runs a leader-only action with the request timeout, mapping Raft's errors to HTTP answers.</summary>
    public async Task<IResult> RunAsync(HttpContext context, Func<CancellationToken, Task<IResult>> action)
    {
        if (RequireLeader(context) is { } elsewhere)
        {
            return elsewhere;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.Value.RequestTimeoutMilliseconds);
        try
        {
            return await action(timeout.Token).ConfigureAwait(false);
        }
        catch (NotLeaderException e)
        {
            // Refused before it entered the log: safe for the client to send it to the leader.
            return SendToLeader(context, e.LeaderId);
        }
        catch (ProposalDroppedException e)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"{e.Message} The outcome is unknown; PUT and DELETE may be retried safely.", retryAfter: true);
        }
        catch (RaftOverloadedException e)
        {
            return Error(StatusCodes.Status429TooManyRequests, e.Message, retryAfter: true);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Error(StatusCodes.Status504GatewayTimeout,
                $"No answer within {options.Value.RequestTimeoutMilliseconds} ms (no quorum reachable?). A write may or may not have taken effect.");
        }
        catch (RaftException e)
        {
            return Error(StatusCodes.Status409Conflict, e.Message);
        }
    }

    /// <summary>The leader's API address as this node knows it from the replicated directory, or null.</summary>
    public string? LeaderApi(NodeId leader) =>
        !leader.IsNone && stateMachine.State.Apis.TryGetValue(leader.Value, out var api) ? api : null;

    private IResult SendToLeader(HttpContext context, NodeId leader)
    {
        if (LeaderApi(leader) is { } api && leader != node.Id)
        {
            var target = api + context.Request.Path + context.Request.QueryString;
            return Results.Redirect(target, permanent: false, preserveMethod: true);
        }

        var why = leader.IsNone
            ? $"Node {node.Id} knows no leader yet (an election may be in progress); retry shortly."
            : $"Node {node.Id} is not the leader; the leader is node {leader}, whose API address is not known here yet; retry shortly.";
        return Results.Json(new ErrorResponse(why, leader.Value), statusCode: StatusCodes.Status503ServiceUnavailable)
            .WithRetryAfter();
    }

    private static IResult Error(int status, string message, bool retryAfter = false)
    {
        var result = Results.Json(new ErrorResponse(message), statusCode: status);
        return retryAfter ? result.WithRetryAfter() : result;
    }
}

/// <summary>Adds <c>Retry-After: 1</c> to a result.</summary>
internal static class RetryAfterExtensions
{
    public static IResult WithRetryAfter(this IResult result) => new RetryAfterResult(result);

    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
