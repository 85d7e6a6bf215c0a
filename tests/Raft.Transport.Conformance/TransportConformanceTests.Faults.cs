using HsmRaft.Messages;
using Xunit;

namespace HsmRaft.Transport.Conformance;

public abstract partial class TransportConformanceTests
{
    [Fact]
    public async Task A_stuck_peer_and_a_dead_peer_do_not_delay_other_peers_and_hold_bounded_memory()
    {
        const int capacity = 256;
        var a = await StartNodeAsync(1, o =>
        {
            o.PeerQueueCapacity = capacity;
            o.WriteTimeout = TimeSpan.FromSeconds(1);
        });
        var b = await StartNodeAsync(2);
        var stuck = await StartNodeAsync(4);
        var deadAddress = await DeadAddressAsync(3);
        stuck.Handler.Block();
        a.Transport.UpdatePeers([b.Member, new ClusterMember(3, deadAddress), stuck.Member]);
        b.Transport.UpdatePeers([a.Member]);
        stuck.Transport.UpdatePeers([a.Member]);

        // The good peer gets fewer messages than the queue holds; the others get far more than they can take.
        const int count = 200;
        const int flood = 1000;
        var entry = new byte[128 * 1024];
        for (var i = 0; i < flood; i++)
        {
            if (i < count)
            {
                a.Transport.Send(Beat(a, b, i));
            }

            a.Transport.Send(new Heartbeat { From = a.Id, To = 3, Term = 1, Context = i });
            a.Transport.Send(new AppendEntries
            {
                From = a.Id, To = stuck.Id, Term = 1, PrevLogIndex = i, PrevLogTerm = 1,
                Entries = [new LogEntry(i + 1, 1, LogEntryKind.Command, entry)],
            });
        }

        await WaitForBeatsAsync(b, a, count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), BeatsFrom(b, a));

        // The stuck peer stopped reading: the write stalls past WriteTimeout and the connection is closed and logged.
        await Logs.WaitForWarningAsync(stuck.Address, HangGuard);
        await Logs.WaitForWarningAsync(deadAddress, HangGuard);

        var dead = a.Transport.GetPeerHealth(3);
        Assert.False(dead.Connected);
        Assert.True(dead.ConsecutiveFailures >= 1);
        foreach (var peer in new NodeId[] { 3, stuck.Id })
        {
            var health = a.Transport.GetPeerHealth(peer);
            Assert.True(health.QueuedMessages <= capacity, $"peer {peer} holds {health.QueuedMessages} queued messages, over the capacity {capacity}");
            Assert.True(health.DroppedMessages > 0, $"peer {peer}: nothing was dropped although far more was sent than it could take");
        }
    }

    [Fact]
    public async Task Reconnects_after_the_peer_restarts()
    {
        var a = await StartNodeAsync(1);
        var b = await StartNodeAsync(2);
        Mesh(a, b);
        a.Transport.Send(Beat(a, b, 0));
        await WaitForBeatsAsync(b, a, 1);

        await StopAsync(b);
        a.Transport.Send(Beat(a, b, 1));
        await Logs.WaitForWarningAsync(b.Address, HangGuard);
        Assert.False(a.Transport.GetPeerHealth(b.Id).Connected);

        var restarted = await StartNodeAsync(b.Id, address: b.Address);
        restarted.Transport.UpdatePeers([a.Member]);
        a.Transport.Send(Beat(a, restarted, 2));
        var received = await restarted.Handler.WaitForAsync(m => m is Heartbeat { Context: 2 }, HangGuard, "the heartbeat sent after the restart");
        Assert.Equal(a.Id, received.From);
        Assert.True(a.Transport.GetPeerHealth(b.Id).Connected);
    }
}
