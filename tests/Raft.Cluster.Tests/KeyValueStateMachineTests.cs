using System.Text;
using HsmRaft.Samples.KeyValueStore.Node;
using HsmRaft.Samples.KeyValueStore.Store;

namespace HsmRaft.Cluster.Tests;

/// <summary>The key-value sample's pieces without processes: command encoding, apply semantics, snapshots, the command line.</summary>
public class KeyValueStateMachineTests
{
    [Theory]
    [InlineData(KvOp.Put, "k", "v", null)]
    [InlineData(KvOp.Delete, "clé-ü", null, null)]
    [InlineData(KvOp.CompareAndSwap, "k", "new", "old")]
    [InlineData(KvOp.CompareAndSwap, "k", "new", null)]
    public void Commands_round_trip(KvOp op, string key, string? value, string? expected)
    {
        var command = new KvCommand(op, key, value, expected);
        Assert.Equal(command, KvCommand.Decode(command.Encode()));
    }

    [Fact]
    public void An_announcement_round_trips_and_a_put_is_compact()
    {
        var announce = new KvCommand(KvOp.AnnounceApi, "", "http://127.0.0.1:8001", NodeId: 300);
        Assert.Equal(announce, KvCommand.Decode(announce.Encode()));
        Assert.Equal(1 + 1 + 10 + 1 + 10, new KvCommand(KvOp.Put, "0123456789", "abcdefghij").Encode().Length);
    }

    [Theory]
    [InlineData(new byte[0], "Empty")]
    [InlineData(new byte[] { 9, 1, 65 }, "Unknown key-value operation code 9")]
    [InlineData(new byte[] { 1, 5, 65 }, "5 bytes is announced")]
    [InlineData(new byte[] { 2, 1, 65, 0 }, "trailing")]
    public void Corrupt_commands_are_rejected_with_the_reason(byte[] data, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => KvCommand.Decode(data));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_delete_and_compare_and_swap_follow_their_rules()
    {
        var sm = new KvStateMachine();
        Assert.Equal(new KvResult(true, "a", 1), await ApplyAsync(sm, 1, new KvCommand(KvOp.Put, "k", "a")));
        Assert.Equal(new KvResult(false, "a", 1), await ApplyAsync(sm, 2, new KvCommand(KvOp.CompareAndSwap, "k", "b", "x")));
        Assert.Equal(new KvResult(true, "b", 3), await ApplyAsync(sm, 3, new KvCommand(KvOp.CompareAndSwap, "k", "b", "a")));
        Assert.Equal(new KvResult(false, "b", 3), await ApplyAsync(sm, 4, new KvCommand(KvOp.CompareAndSwap, "k", "c", null)));
        Assert.Equal(new KvResult(true, null, 5), await ApplyAsync(sm, 5, new KvCommand(KvOp.Delete, "k")));
        Assert.Equal(new KvResult(false, null, 0), await ApplyAsync(sm, 6, new KvCommand(KvOp.Delete, "k")));
        Assert.Equal(new KvResult(true, "c", 7), await ApplyAsync(sm, 7, new KvCommand(KvOp.CompareAndSwap, "k", "c", null)));
        Assert.Equal(7, sm.State.AppliedIndex);
        Assert.Equal(new KvEntry("c", 7), sm.State.Data["k"]);
    }

    [Fact]
    public async Task A_snapshot_captures_the_state_at_capture_time_and_restores_it_exactly()
    {
        var sm = new KvStateMachine();
        for (var i = 1; i <= 1000; i++)
        {
            await ApplyAsync(sm, i, new KvCommand(KvOp.Put, $"key{i}", new string('v', i % 50)));
        }

        await ApplyAsync(sm, 1001, new KvCommand(KvOp.AnnounceApi, "", "http://127.0.0.1:8002", NodeId: 2));
        using var snapshot = sm.CaptureSnapshot();
        var captured = sm.State;
        await ApplyAsync(sm, 1002, new KvCommand(KvOp.Put, "later", "not in the snapshot"));

        using var stream = new MemoryStream();
        await snapshot.WriteToAsync(stream, CancellationToken.None);
        stream.Position = 0;
        var restored = new KvStateMachine();
        var directoryChanges = 0;
        restored.DirectoryChanged += () => directoryChanges++;
        await restored.RestoreAsync(stream, CancellationToken.None);

        Assert.Equal(1, restored.Restores);
        Assert.Equal(1, directoryChanges);
        Assert.Equal(captured.AppliedIndex, restored.State.AppliedIndex);
        Assert.Equal(captured.Data.OrderBy(p => p.Key, StringComparer.Ordinal), restored.State.Data.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal("http://127.0.0.1:8002", restored.State.Apis[2]);
        Assert.False(restored.State.Data.ContainsKey("later"));
    }

    [Fact]
    public async Task Restoring_something_that_is_not_a_snapshot_fails_clearly()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            new KvStateMachine().RestoreAsync(new MemoryStream(Encoding.UTF8.GetBytes("not a snapshot")), CancellationToken.None).AsTask());
        Assert.Contains("HKV1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_node_command_line_maps_to_configuration_keys()
    {
        var parsed = NodeCommandLine.Parse(["--id", "2", "--members", "1=http://127.0.0.1:7001, 2=http://127.0.0.1:7002", "--http", "8002",
            "--data", "/tmp/d", "--join", "--raft", "http://127.0.0.1:7002", "--Raft:HeartbeatTicks=2", "--stop-when-stdin-closes"]);
        Assert.Equal("2", parsed.Settings["Raft:NodeId"]);
        Assert.Equal("1", parsed.Settings["Raft:Members:0:Id"]);
        Assert.Equal("http://127.0.0.1:7002", parsed.Settings["Raft:Members:1:Address"]);
        Assert.Equal("http://127.0.0.1:8002", parsed.Settings["Kv:Http"]);
        Assert.Equal("true", parsed.Settings["Raft:Join"]);
        Assert.Equal(["--Raft:HeartbeatTicks=2"], parsed.PassThrough);
        Assert.True(parsed.StopWhenStdinCloses);
    }

    [Theory]
    [InlineData(new[] { "--idd", "1" }, "Unknown option '--idd'")]
    [InlineData(new[] { "--id" }, "Option --id needs a value")]
    [InlineData(new[] { "--members", "1:http://x" }, "'1:http://x' is not ID=URL")]
    [InlineData(new[] { "--http", "localhost" }, "neither a port nor a URL")]
    public void Bad_node_options_say_what_is_wrong(string[] args, string message)
    {
        var error = Assert.Throws<FormatException>(() => NodeCommandLine.Parse(args));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static async Task<KvResult> ApplyAsync(KvStateMachine sm, long index, KvCommand command) =>
        (KvResult)(await sm.ApplyAsync(new LogEntry(index, 1, LogEntryKind.Command, command.Encode()), CancellationToken.None))!;
}
