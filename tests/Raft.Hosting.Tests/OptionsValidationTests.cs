using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HsmRaft.Hosting.Tests;

/// <summary>Every invalid <c>Raft</c> setting stops the host at start-up with a message naming the setting and a valid value.</summary>
public sealed class OptionsValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    // key to change (null value removes it), then fragments the error must contain
    [InlineData("Raft:NodeId", null, "Raft:NodeId must be a positive integer", "for example 1")]
    [InlineData("Raft:NodeId", "0", "Raft:NodeId must be a positive integer", "for example 1")]
    [InlineData("Raft:NodeId", "2", "Raft:Members must include this node (2)", "Raft:Join = true")]
    [InlineData("Raft:Members:0:Address", "127.0.0.1:7001", "Raft:Members: the address '127.0.0.1:7001' of node 1 is not valid", "http://127.0.0.1:5002")]
    [InlineData("Raft:Members:0:Address", "tcp://127.0.0.1:7001", "the address 'tcp://127.0.0.1:7001' of node 1 is not valid", "use http://IP:port")]
    [InlineData("Raft:DataDirectory", null, "Raft:DataDirectory is required", "/var/lib/hsmraft/node1")]
    [InlineData("Raft:ClusterId", "has spaces", "Raft:ClusterId 'has spaces'", "\"orders\"")]
    [InlineData("Raft:TickIntervalMilliseconds", "0", "Raft:TickIntervalMilliseconds is 0", "use 1..10000")]
    [InlineData("Raft:ElectionTicks", "1", "Raft:ElectionTicks is 1", "at least 2")]
    [InlineData("Raft:HeartbeatTicks", "10", "Raft:HeartbeatTicks is 10", "less than ElectionTicks (10)")]
    [InlineData("Raft:SnapshotEveryEntries", "-1", "Raft:SnapshotEveryEntries is -1", "10000")]
    [InlineData("Raft:SnapshotEveryBytes", "-5", "Raft:SnapshotEveryBytes is -5", "67108864")]
    [InlineData("Raft:SnapshotTrailingEntries", "-1", "Raft:SnapshotTrailingEntries is -1", "1000 is typical")]
    [InlineData("Raft:SegmentSizeBytes", "1", "Raft:SegmentSizeBytes is 1", "67108864 is typical")]
    [InlineData("Raft:FsyncMode", "Sometimes", "Raft:FsyncMode 'Sometimes' is unknown", "DataSync")]
    [InlineData("Raft:Transport", "carrier-pigeon", "Raft:Transport 'carrier-pigeon' is unknown", "use grpc")]
    [InlineData("Raft:CertificatePath", "/nonexistent/node.pfx", "Raft:CertificatePath '/nonexistent/node.pfx' does not exist", "PFX")]
    [InlineData("Raft:ReconnectBackoffMaxMilliseconds", "10", "Raft:ReconnectBackoffMaxMilliseconds is 10", "50..600000")]
    [InlineData("Raft:ShutdownHandOverMilliseconds", "-1", "Raft:ShutdownHandOverMilliseconds is -1", "5000 is typical")]
    [InlineData("Raft:HealthMaxApplyLag", "-1", "Raft:HealthMaxApplyLag is -1", "0 or more")]
    // A joining node is not a founding member and must give its own address.
    [InlineData("Raft:Join", "true", "Raft:Join is set but node 1 is listed in Raft:Members", "Raft:Address is required when Raft:Join is set")]
    // Not an options rule but the same start-up failure: "custom" needs a transport from UseTransport.
    [InlineData("Raft:Transport", "custom", "Raft:Transport is 'custom' but no transport was registered", "UseTransport(")]
    public async Task An_invalid_setting_fails_start_up_naming_it_and_a_valid_value(string key, string? value, string names, string suggests)
    {
        var e = await StartFailsAsync((key, value));
        Assert.Contains(names, e.Message, StringComparison.Ordinal);
        Assert.Contains(suggests, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_members_fails_start_up_asking_for_this_node_or_Join()
    {
        var e = await StartFailsAsync(("Raft:Members:0:Id", null), ("Raft:Members:0:Address", null));
        Assert.Contains("Raft:Members must include this node (1) with its address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var e = await StartFailsAsync(("Raft:ElectionTicks", "1"), ("Raft:FsyncMode", "Sometimes"));
        Assert.Contains("Raft:ElectionTicks", e.Message, StringComparison.Ordinal);
        Assert.Contains("Raft:FsyncMode", e.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(RaftHostingOptions), e.OptionsType);
    }

    [Fact]
    public async Task Options_given_in_code_are_validated_too()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddRaft<HsmRaft.Testing.CounterStateMachine>(o =>
        {
            o.NodeId = 1;
            o.Members.Add(new RaftMemberOptions { Id = 1, Address = "http://127.0.0.1:7001" });
            o.DataDirectory = _dir.Path;
            o.HeartbeatTicks = 0;
        });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Raft:HeartbeatTicks is 0", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Starts a host on the valid one-node settings with <paramref name="changes"/> applied (a null value removes the key)
    /// and returns the validation error it must fail with.</summary>
    private async Task<OptionsValidationException> StartFailsAsync(params (string Key, string? Value)[] changes)
    {
        var settings = TestHost.OneNode(_dir.Path, TestHost.FreePort());
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        using var host = TestHost.Build(settings);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
