using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>
/// An HTTP client of the key-value cluster. It follows the nodes' <c>307</c> redirects to the leader and remembers the leader it
/// ended at; when a node is down, has no leader, or times out, it moves on to the next node, and when every node said "no leader
/// yet" it long-polls a node's status until something changes (an election result) instead of sleeping.
/// Writes are retried until acknowledged, which is safe for PUT and DELETE (idempotent) but not for compare-and-swap, so
/// <see cref="CompareAndSwapAsync"/> makes one attempt.
/// </summary>
public sealed class KvClient : IDisposable
{
    private readonly HttpClient _http;
    private volatile string[] _endpoints;
    private volatile string? _leader;
    private int _next;

    /// <summary>Creates a client of the nodes whose API addresses are <paramref name="endpoints"/>.</summary>
    public KvClient(IEnumerable<string> endpoints, TimeSpan? requestTimeout = null)
    {
        _endpoints = [.. endpoints];
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 4,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = requestTimeout ?? TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>The nodes this client may contact; replace it when the membership changes.</summary>
    public IReadOnlyList<string> Endpoints
    {
        get => _endpoints;
        set => _endpoints = [.. value];
    }

    /// <summary>The leader's API address as last seen (the node a redirect ended at), or null.</summary>
    public string? Leader => _leader;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, retrying on other nodes until it is acknowledged.</summary>
    public Task<WriteResponse> PutAsync(string key, string value, CancellationToken ct = default) =>
        WriteWithRetryAsync(() => new HttpRequestMessage(HttpMethod.Put, KeyPath(key)) { Content = new StringContent(value, Encoding.UTF8, "text/plain") }, ct);

    /// <summary>Deletes <paramref name="key"/>, retrying until acknowledged.</summary>
    public Task<WriteResponse> DeleteAsync(string key, CancellationToken ct = default) =>
        WriteWithRetryAsync(() => new HttpRequestMessage(HttpMethod.Delete, KeyPath(key)), ct);

    /// <summary>One compare-and-swap attempt at the leader (following a redirect). A 409 answer is returned as unsuccessful.</summary>
    public async Task<WriteResponse> CompareAndSwapAsync(string key, string? expected, string value, CancellationToken ct = default)
    {
        using var response = await SendAsync(PreferredEndpoint(), () =>
            new HttpRequestMessage(HttpMethod.Post, KeyPath(key) + "/cas") { Content = JsonContent.Create(new CasRequest(expected, value)) }, ct);
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict)
        {
            return (await response.Content.ReadFromJsonAsync<WriteResponse>(ct))!;
        }

        throw await ErrorAsync(response, ct);
    }

    /// <summary>Reads a key: linearizable (through the leader) or, with <paramref name="local"/>, from <paramref name="node"/>'s own
    /// state. Null when the key does not exist.</summary>
    public async Task<string?> GetAsync(string key, bool local = false, string? node = null, CancellationToken ct = default)
    {
        var endpoint = node ?? PreferredEndpoint();
        using var response = await SendAsync(endpoint, () => new HttpRequestMessage(HttpMethod.Get, KeyPath(key) + (local ? "?consistency=local" : "")), ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => await response.Content.ReadAsStringAsync(ct),
            HttpStatusCode.NotFound => null,
            _ => throw await ErrorAsync(response, ct),
        };
    }

    /// <summary>The status of one node; with <paramref name="since"/>, long-polls until its status version exceeds it (or
    /// <paramref name="waitMs"/> passes).</summary>
    public async Task<NodeStatusDto> StatusAsync(string node, long? since = null, int waitMs = 10_000, CancellationToken ct = default)
    {
        var query = since is { } v ? $"?since={v}&waitMs={waitMs}" : "";
        return (await _http.GetFromJsonAsync<NodeStatusDto>($"{node}/admin/status{query}", ct))!;
    }

    /// <summary>Waits until <paramref name="node"/> has applied <paramref name="index"/>.</summary>
    public async Task<NodeStatusDto> WaitForAppliedAsync(string node, long index, TimeSpan timeout, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync($"{node}/admin/wait?applied={index}&timeoutMs={(int)timeout.TotalMilliseconds}", ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<NodeStatusDto>(ct))! : throw await ErrorAsync(response, ct);
    }

    /// <summary>The health check's answer of one node (Healthy, Degraded or Unhealthy), or "down" when it does not answer.</summary>
    public async Task<string> HealthAsync(string node, CancellationToken ct = default)
    {
        try
        {
            using var response = await _http.GetAsync($"{node}/health", ct);
            return await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "down";
        }
    }

    /// <summary>The recent role, term, leader and membership changes one node saw.</summary>
    public async Task<List<StatusEventDto>> HistoryAsync(string node, CancellationToken ct = default) =>
        (await _http.GetFromJsonAsync<List<StatusEventDto>>($"{node}/admin/history", ct))!;

    /// <summary>The whole local state of one node.</summary>
    public async Task<DumpResponse> DumpAsync(string node, CancellationToken ct = default) =>
        (await _http.GetFromJsonAsync<DumpResponse>($"{node}/admin/dump", ct))!;

    /// <summary>Changes the membership by joint consensus (sent to the leader); returns the leader's status once it committed.</summary>
    public Task<NodeStatusDto> ChangeMembersAsync(MembershipRequest request, CancellationToken ct = default) =>
        AdminAsync(() => new HttpRequestMessage(HttpMethod.Post, "/admin/members") { Content = JsonContent.Create(request) }, ct);

    /// <summary>Hands leadership to <paramref name="target"/>.</summary>
    public Task<NodeStatusDto> TransferLeadershipAsync(ulong target, CancellationToken ct = default) =>
        AdminAsync(() => new HttpRequestMessage(HttpMethod.Post, $"/admin/transfer?to={target}"), ct);

    private async Task<NodeStatusDto> AdminAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var response = await SendAsync(PreferredEndpoint(), request, ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<NodeStatusDto>(ct))! : throw await ErrorAsync(response, ct);
    }

    private async Task<WriteResponse> WriteWithRetryAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        var failures = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var endpoint = PreferredEndpoint();
            try
            {
                using var response = await SendAsync(endpoint, request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return (await response.Content.ReadFromJsonAsync<WriteResponse>(ct))!;
                }

                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests))
                {
                    throw await ErrorAsync(response, ct);
                }
            }
            catch (HttpRequestException)
            {
                // The node is down or the connection broke mid-request: the outcome is unknown; the write is idempotent, retry.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // The HTTP timeout: same as above.
            }

            _leader = null;
            Interlocked.Increment(ref _next);
            if (++failures % Math.Max(1, _endpoints.Length) == 0)
            {
                await WaitForNewsAsync(endpoint, ct);
            }
        }
    }

    /// <summary>After a full round of failures: wait for the next status change of a node (e.g. an election result), bounded.</summary>
    private async Task WaitForNewsAsync(string endpoint, CancellationToken ct)
    {
        try
        {
            var status = await StatusAsync(endpoint, ct: ct);
            if (status.LeaderApi is null)
            {
                await StatusAsync(endpoint, status.Version, waitMs: 2_000, ct);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // That node is down too; the next round tries the others.
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string endpoint, Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var request = create();
        request.RequestUri = new Uri(endpoint + request.RequestUri!.OriginalString);
        var response = await _http.SendAsync(request, ct);
        if (response.IsSuccessStatusCode && response.RequestMessage?.RequestUri is { } final)
        {
            _leader = final.GetLeftPart(UriPartial.Authority);
        }

        return response;
    }

    private string PreferredEndpoint()
    {
        if (_leader is { } leader)
        {
            return leader;
        }

        var endpoints = _endpoints;
        return endpoints[(int)((uint)Volatile.Read(ref _next) % (uint)endpoints.Length)];
    }

    private static string KeyPath(string key) => "/kv/" + Uri.EscapeDataString(key);

    private static async Task<HttpRequestException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        return new HttpRequestException($"{(int)response.StatusCode} {response.StatusCode} from {response.RequestMessage?.RequestUri}: {body}", null, response.StatusCode);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
