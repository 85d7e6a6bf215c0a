using Microsoft.Extensions.Options;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>The key-value service's own settings (configuration section <c>Kv</c>).</summary>
public sealed class KvServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Kv";

    /// <summary>Where the HTTP API listens, e.g. <c>http://127.0.0.1:8001</c> (required; <c>--http</c>).</summary>
    public string Http { get; set; } = "";

    /// <summary>The API address other nodes send clients to; defaults to <see cref="Http"/> (set it when listening on 0.0.0.0).</summary>
    public string? AdvertiseUrl { get; set; }

    /// <summary>How long a write or linearizable read may take before the API answers 504. Default 10 000 ms.</summary>
    public int RequestTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>The address announced to the cluster.</summary>
    public string Advertised => AdvertiseUrl ?? Http;

    internal sealed class Validator : IValidateOptions<KvServiceOptions>
    {
        public ValidateOptionsResult Validate(string? name, KvServiceOptions o)
        {
            var problems = new List<string>();
            if (!IsUrl(o.Http))
            {
                problems.Add($"Kv:Http '{o.Http}' is not set or not a URL; pass --http 8001 or set Kv:Http to http://127.0.0.1:8001.");
            }

            if (o.AdvertiseUrl is not null && !IsUrl(o.AdvertiseUrl))
            {
                problems.Add($"Kv:AdvertiseUrl '{o.AdvertiseUrl}' is not a URL; use for example http://10.0.0.5:8001.");
            }

            if (IsUrl(o.Advertised) && new Uri(o.Advertised).Host is "0.0.0.0" or "[::]" or "+" or "*")
            {
                problems.Add($"Kv:Http listens on every interface ({o.Http}); set Kv:AdvertiseUrl to the address clients should use.");
            }

            if (o.RequestTimeoutMilliseconds < 100)
            {
                problems.Add($"Kv:RequestTimeoutMilliseconds is {o.RequestTimeoutMilliseconds}; use at least 100 (10000 is typical).");
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }

        private static bool IsUrl(string? value) =>
            Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
    }
}
