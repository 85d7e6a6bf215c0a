using Xunit;

namespace HsmRaft.Transport.Tests;

public sealed class RaftTransportOptionsTests
{
    private static RaftTransportOptions Valid() => new() { LocalNodeId = 1, ClusterId = "orders-prod" };

    [Fact]
    public void Defaults_with_a_node_id_and_cluster_id_are_valid() => Valid().Validate();

    [Theory]
    [InlineData("LocalNodeId", "positive id")]
    [InlineData("ClusterId", "orders-prod")]
    [InlineData("MaxMessageSize", "4194304")]
    [InlineData("MaxChunkSize", "1048576")]
    [InlineData("PeerQueueCapacity", "4096")]
    [InlineData("ReconnectBackoffMin", "50 ms")]
    [InlineData("ReconnectBackoffMax", "5 s")]
    [InlineData("ConnectTimeout", "5 s")]
    [InlineData("WriteTimeout", "10 s")]
    public void An_invalid_setting_fails_with_its_name_and_a_valid_value(string setting, string example)
    {
        var options = Valid();
        switch (setting)
        {
            case "LocalNodeId": options.LocalNodeId = NodeId.None; break;
            case "ClusterId": options.ClusterId = "has spaces"; break;
            case "MaxMessageSize": options.MaxMessageSize = 100; break;
            case "MaxChunkSize": options.MaxChunkSize = 0; break;
            case "PeerQueueCapacity": options.PeerQueueCapacity = 0; break;
            case "ReconnectBackoffMin": options.ReconnectBackoffMin = TimeSpan.Zero; break;
            case "ReconnectBackoffMax": options.ReconnectBackoffMax = TimeSpan.FromMilliseconds(1); break;
            case "ConnectTimeout": options.ConnectTimeout = TimeSpan.FromSeconds(-1); break;
            default: options.WriteTimeout = TimeSpan.Zero; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"RaftTransportOptions.{setting}", error.Message);
        Assert.Contains(example, error.Message);
    }

    [Fact]
    public void A_certificate_without_private_key_is_refused()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(withKey.RawData);
        var options = Valid();
        options.Security = new TransportSecurityOptions { Certificate = publicOnly };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("TransportSecurityOptions.Certificate has no private key", error.Message);
    }

    [Fact]
    public void Snapshot_frames_get_the_chunk_limit_plus_room_for_metadata()
    {
        var options = Valid();
        Assert.Equal(options.MaxChunkSize + RaftFrameHeader.SnapshotMetadataAllowance, options.MaxPayloadSize(Messages.RaftMessageType.InstallSnapshot));
        Assert.Equal(options.MaxMessageSize, options.MaxPayloadSize(Messages.RaftMessageType.AppendEntries));
    }
}

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delays_double_per_failure_within_jitter_bounds_and_stop_at_the_maximum()
    {
        var min = TimeSpan.FromMilliseconds(50);
        var max = TimeSpan.FromSeconds(1);
        var backoff = new ReconnectBackoff(min, max, new Random(7));
        for (var failures = 1; failures <= 12; failures++)
        {
            var ceiling = TimeSpan.FromTicks(Math.Min(min.Ticks << (failures - 1), max.Ticks));
            for (var i = 0; i < 50; i++)
            {
                var delay = backoff.Next(failures);
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_delays_and_jitter_spreads_them()
    {
        var a = new ReconnectBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), new Random(3));
        var b = new ReconnectBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), new Random(3));
        var first = Enumerable.Range(1, 20).Select(a.Next).ToArray();
        Assert.Equal(first, Enumerable.Range(1, 20).Select(b.Next));
        Assert.True(Enumerable.Range(0, 20).Select(_ => a.Next(3)).Distinct().Count() > 10, "jitter should spread delays");
    }
}
