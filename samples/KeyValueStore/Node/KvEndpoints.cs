using System.Globalization;
using System.Text;
using System.Text.Json;
using HsmRaft.Runtime;
using HsmRaft.Samples.KeyValueStore.Client;
using HsmRaft.Samples.KeyValueStore.Store;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// The key-value API. Writes are Raft proposals on the leader; a GET is linearizable by default (a read barrier on the leader, so
/// it sees every write acknowledged before it started) or, with <c>?consistency=local</c>, answered from this node's state at once
/// (possibly stale, but never a value that was not committed). Keys are one URL path segment.
/// </summary>
internal static class KvEndpoints
{
    public static void MapKvEndpoints(this IEndpointRouteBuilder app)
    {
        var kv = app.MapGroup("/kv");
        kv.MapPut("/{key}", PutAsync);
        kv.MapGet("/{key}", GetAsync);
        kv.MapDelete("/{key}", DeleteAsync);
        kv.MapPost("/{key}/cas", CompareAndSwapAsync);
    }

    private static async Task<IResult> PutAsync(string key, HttpContext context, LeaderGate gate, IRaftNode node) =>
        CheckKey(key) ?? await gate.RunAsync(context, async ct =>
        {
            var value = await ReadValueAsync(context.Request, ct);
            return value is null ? TooLarge() : await ProposeAsync(node, new KvCommand(KvOp.Put, key, value), ct);
        });

    private static async Task<IResult> DeleteAsync(string key, HttpContext context, LeaderGate gate, IRaftNode node) =>
        CheckKey(key) ?? await gate.RunAsync(context, ct => ProposeAsync(node, new KvCommand(KvOp.Delete, key), ct));

    private static async Task<IResult> CompareAndSwapAsync(string key, HttpContext context, LeaderGate gate, IRaftNode node) =>
        CheckKey(key) ?? await gate.RunAsync(context, async ct =>
        {
            CasRequest? request;
            try
            {
                request = await context.Request.ReadFromJsonAsync<CasRequest>(ct);
            }
            catch (JsonException e)
            {
                return BadRequest($"The body is not valid JSON ({e.Message}); send {{\"expected\": \"old\" or null, \"value\": \"new\"}}.");
            }

            if (request?.Value is null)
            {
                return BadRequest("The body needs a \"value\": send {\"expected\": \"old\" or null, \"value\": \"new\"}.");
            }

            if (Encoding.UTF8.GetByteCount(request.Value) > KvCommand.MaxValueBytes)
            {
                return TooLarge();
            }

            var answer = await ProposeAsync(node, new KvCommand(KvOp.CompareAndSwap, key, request.Value, request.Expected), ct);
            return answer;
        });

    private static async Task<IResult> GetAsync(string key, string? consistency, HttpContext context, LeaderGate gate, IRaftNode node, KvStateMachine stateMachine)
    {
        if (CheckKey(key) is { } bad)
        {
            return bad;
        }

        switch (consistency)
        {
            case "local":
                return Read(stateMachine.State, key, context);
            case null or "linearizable":
                return await gate.RunAsync(context, async ct =>
                {
                    await node.ReadBarrierAsync(ct);
                    return Read(stateMachine.State, key, context);
                });
            default:
                return BadRequest($"consistency '{consistency}' is unknown; use linearizable (default) or local.");
        }
    }

    private static IResult Read(KvState state, string key, HttpContext context)
    {
        context.Response.Headers["X-Applied-Index"] = state.AppliedIndex.ToString(CultureInfo.InvariantCulture);
        if (!state.Data.TryGetValue(key, out var entry))
        {
            return Results.Json(new ErrorResponse($"Key '{key}' does not exist."), statusCode: StatusCodes.Status404NotFound);
        }

        context.Response.Headers.ETag = $"\"{entry.Revision.ToString(CultureInfo.InvariantCulture)}\"";
        return Results.Text(entry.Value, "text/plain; charset=utf-8");
    }

    private static async Task<IResult> ProposeAsync(IRaftNode node, KvCommand command, CancellationToken ct)
    {
        var result = (KvResult)(await node.ProposeAsync(command.Encode(), ct))!;
        var response = new WriteResponse(command.Key, result.Succeeded, result.Current, result.Revision);
        return command.Op == KvOp.CompareAndSwap && !result.Succeeded
            ? Results.Json(response, statusCode: StatusCodes.Status409Conflict)
            : Results.Ok(response);
    }

    /// <summary>Reads the raw body as UTF-8; null when it exceeds <see cref="KvCommand.MaxValueBytes"/>.</summary>
    private static async Task<string?> ReadValueAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > KvCommand.MaxValueBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IResult? CheckKey(string key) =>
        key.Length == 0 || Encoding.UTF8.GetByteCount(key) > KvCommand.MaxKeyBytes
            ? BadRequest($"A key must be 1 to {KvCommand.MaxKeyBytes} bytes of UTF-8 (one URL path segment).")
            : null;

    private static IResult TooLarge() =>
        Results.Json(new ErrorResponse($"The value is larger than {KvCommand.MaxValueBytes} bytes; store smaller values."), statusCode: StatusCodes.Status413PayloadTooLarge);

    private static IResult BadRequest(string message) => Results.Json(new ErrorResponse(message), statusCode: StatusCodes.Status400BadRequest);
}
