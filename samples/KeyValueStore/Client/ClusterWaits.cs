namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>
/// Waits on real cluster events over the HTTP API: a leader everyone agrees on (long-polling each node's status for its next
/// change, never sleeping), and nodes having applied an index. Every wait has a timeout that only guards against hangs; on timeout
/// the exception describes what each node last reported.
/// </summary>
public static class ClusterWaits
{
    /// <summary>
    /// Waits until every answering node of <paramref name="nodes"/> (at least a majority of them) names the same leader in the same
    /// term, that leader says it leads, every node knows its API address, and <paramref name="accept"/> holds. Returns the leader's
    /// status. Once it returns, the leader has committed an entry of its term, so its commit index covers every earlier
    /// acknowledged write.
    /// </summary>
    public static async Task<NodeStatusDto> WaitForLeaderAsync(
        KvClient client, IReadOnlyList<string> nodes, TimeSpan timeout, Func<NodeStatusDto, bool>? accept = null, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        NodeStatusDto?[] statuses = [];
        try
        {
            while (true)
            {
                statuses = await Task.WhenAll(nodes.Select(n => TryStatusAsync(client, n, null, deadline.Token)));
                var live = statuses.OfType<NodeStatusDto>().ToList();
                var leader = live.Where(s => s.IsLeader).MaxBy(s => s.Term);
                if (leader is not null && live.Count > nodes.Count / 2 &&
                    live.All(s => s.LeaderId == leader.Id && s.Term == leader.Term && s.LeaderApi is not null) &&
                    (accept?.Invoke(leader) ?? true))
                {
                    return leader;
                }

                await NextChangeAsync(client, nodes, statuses, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No agreed leader within {timeout.TotalSeconds:0} s. Last statuses:\n{Describe(nodes, statuses)}");
        }
    }

    /// <summary>Waits (long-polling the node's status changes) until <paramref name="node"/>'s status satisfies
    /// <paramref name="condition"/>, and returns that status.</summary>
    public static async Task<NodeStatusDto> WaitForStatusAsync(
        KvClient client, string node, Func<NodeStatusDto, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        NodeStatusDto? status = null;
        try
        {
            while (true)
            {
                status = await TryStatusAsync(client, node, status?.Version, deadline.Token);
                if (status is not null && condition(status))
                {
                    return status;
                }

                if (status is null)
                {
                    // Not answering (starting or restarting): nothing to long-poll, retry after a short backoff.
                    await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{node} did not reach the expected state within {timeout.TotalSeconds:0} s. Last status:\n{Describe([node], [status])}");
        }
    }

    /// <summary>Waits until each of <paramref name="nodes"/> has applied <paramref name="index"/>.</summary>
    public static Task WaitForAppliedAsync(KvClient client, IEnumerable<string> nodes, long index, TimeSpan timeout, CancellationToken ct = default) =>
        Task.WhenAll(nodes.Select(n => client.WaitForAppliedAsync(n, index, timeout, ct)));

    /// <summary>One line per node: id, role, term, leader, commit and applied index (or why it did not answer).</summary>
    public static string Describe(IReadOnlyList<string> nodes, IReadOnlyList<NodeStatusDto?> statuses) =>
        string.Join('\n', nodes.Select((n, i) => i < statuses.Count && statuses[i] is { } s
            ? $"  {n}: node {s.Id} {s.Role} term {s.Term} leader {s.LeaderId} (api {s.LeaderApi ?? "unknown"}) commit {s.CommitIndex} applied {s.AppliedIndex}"
            : $"  {n}: no answer"));

    /// <summary>A node's status, or null when it does not answer (down, starting, or partitioned away).</summary>
    public static async Task<NodeStatusDto?> TryStatusAsync(KvClient client, string node, long? since, CancellationToken ct, int waitMs = 2_000)
    {
        try
        {
            using var perCall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            perCall.CancelAfter(waitMs + 3_000);
            return await client.StatusAsync(node, since, waitMs, perCall.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Completes when any answering node reports a change (or after its bounded long-poll ends without one).</summary>
    private static async Task NextChangeAsync(KvClient client, IReadOnlyList<string> nodes, NodeStatusDto?[] statuses, CancellationToken ct)
    {
        using var round = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waits = nodes.Select((n, i) => statuses[i] is { } s ? TryStatusAsync(client, n, s.Version, round.Token) : null).OfType<Task<NodeStatusDto?>>().ToList();
        if (waits.Count == 0)
        {
            // Nobody answers (all starting or unreachable), so there is nothing to long-poll: reconnect after a short backoff.
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            return;
        }

        await Task.WhenAny(waits);
        await round.CancelAsync();
        await ((Task)Task.WhenAll(waits)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ct.ThrowIfCancellationRequested();
    }
}
