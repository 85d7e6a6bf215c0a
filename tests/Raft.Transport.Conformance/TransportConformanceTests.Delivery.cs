using HsmRaft.Messages;
using Xunit;

namespace HsmRaft.Transport.Conformance;

public abstract partial class TransportConformanceTests
{
    [Fact]
    public async Task Delivers_every_message_type_intact()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        var sent = RaftMessageSamples.OneOfEach(a.Id, b.Id).Concat(RaftMessageSamples.EdgeCases(a.Id, b.Id)).ToArray();
        foreach (var message in sent)
        {
            a.Transport.Send(message);
        }

        await b.Handler.WaitUntilAsync(r => r.Count >= sent.Length, HangGuard, $"{sent.Length} messages");
        Assert.Equal(sent.Select(RaftMessageSamples.Describe), b.Handler.Received.Select(RaftMessageSamples.Describe));
    }

    [Fact]
    public async Task Keeps_each_peers_messages_in_order_in_both_directions()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        const int count = 3000;
        for (var i = 0; i < count; i++)
        {
            a.Transport.Send(Beat(a, b, i));
            b.Transport.Send(Beat(b, a, i));
        }

        await WaitForBeatsAsync(b, a, count);
        await WaitForBeatsAsync(a, b, count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), BeatsFrom(b, a));
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), BeatsFrom(a, b));
    }

    [Fact]
    public async Task Coalesces_queued_messages_into_batches()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        const int count = 2000;
        await SendWhileReceiverIsBlockedAsync(a, b, count);

        // Delivery of one more message proves the writer recorded the earlier batches (it records before writing on).
        a.Transport.Send(Beat(a, b, count));
        await WaitForBeatsAsync(b, a, count + 1);
        var health = a.Transport.GetPeerHealth(b.Id);
        Assert.True(health.SentMessages >= count, $"sent {health.SentMessages}");
        Assert.True(health.SentBatches < health.SentMessages / 2,
            $"{health.SentMessages} messages took {health.SentBatches} writes: queued messages were not coalesced");
    }

    [Fact]
    public async Task Carries_max_size_snapshot_chunks_intact_and_in_order()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        var chunkSize = CreateOptions(a.Id).MaxChunkSize;
        var chunks = Enumerable.Range(0, 4).Select(i => RaftMessageSamples.Chunk(a.Id, b.Id, chunkSize, (long)i * chunkSize, seed: i, done: i == 3)).ToArray();
        foreach (var chunk in chunks)
        {
            a.Transport.Send(chunk);
        }

        await b.Handler.WaitUntilAsync(r => r.Count >= chunks.Length, HangGuard, "4 snapshot chunks");
        Assert.Equal(chunks.Select(RaftMessageSamples.Describe), b.Handler.Received.Select(RaftMessageSamples.Describe));
    }

    [Fact]
    public async Task Drops_and_counts_messages_over_the_size_limits_without_dropping_the_connection()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        var options = CreateOptions(a.Id);
        a.Transport.Send(Beat(a, b, 0));
        await WaitForBeatsAsync(b, a, 1);

        a.Transport.Send(RaftMessageSamples.Chunk(a.Id, b.Id, options.MaxChunkSize + 1, 0, seed: 1));
        a.Transport.Send(new AppendEntries
        {
            From = a.Id, To = b.Id, Term = 1,
            Entries = [new LogEntry(1, 1, LogEntryKind.Command, new byte[options.MaxMessageSize + 1])],
        });
        a.Transport.Send(Beat(a, b, 1));
        await WaitForBeatsAsync(b, a, 2);

        Assert.Equal(2, b.Handler.Received.Count);
        var health = a.Transport.GetPeerHealth(b.Id);
        Assert.Equal(2, health.DroppedMessages);
        Assert.Equal(0, health.ConsecutiveFailures);
        Assert.True(health.Connected);
        Assert.Contains(Logs.Records, r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error && r.Message.Contains("MaxChunkSize"));
    }

    [Fact]
    public async Task Awaits_the_handler_before_delivering_more_from_a_connection()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        const int count = 300;
        await SendWhileReceiverIsBlockedAsync(a, b, count);

        Assert.Equal(1, b.Handler.MaxConcurrencyPerSender);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), BeatsFrom(b, a));
        Assert.Equal(0, a.Transport.GetPeerHealth(b.Id).DroppedMessages);
    }

    [Fact]
    public async Task Reports_peer_health()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        Assert.Equal(default, a.Transport.GetPeerHealth(99));

        a.Transport.Send(Beat(a, b, 0));
        a.Transport.Send(Beat(a, b, 1));
        await WaitForBeatsAsync(b, a, 2);
        a.Transport.Send(Beat(a, b, 2));
        await WaitForBeatsAsync(b, a, 3);

        var health = a.Transport.GetPeerHealth(b.Id);
        Assert.True(health.Connected);
        Assert.Equal(0, health.ConsecutiveFailures);
        Assert.Equal(0, health.DroppedMessages);
        Assert.NotNull(health.LastSuccess);
        Assert.True(health.SentMessages >= 2, $"sent {health.SentMessages}");
    }

    [Fact]
    public async Task Ignores_messages_to_unknown_peers()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        a.Transport.Send(new Heartbeat { From = a.Id, To = 77, Term = 1 });
        a.Transport.Send(Beat(a, b, 0));
        await WaitForBeatsAsync(b, a, 1);
        Assert.Single(b.Handler.Received);
        Assert.Equal(default, a.Transport.GetPeerHealth(77));
    }
}
