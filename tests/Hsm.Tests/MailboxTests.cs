using Hsm.Tests.Machines;

namespace Hsm.Tests;

public class MailboxTests
{
    [Fact]
    public async Task EventsFromManyThreadsAreProcessedOneAtATime()
    {
        var m = new Guards(); // L1 → L2 on Attempt(1); every other Attempt only evaluates guards and logs them
        m.Start();
        await using var mailbox = new HsmMailbox<Guards>(m, capacity: 16);
        const int senders = 8, perSender = 250;
        var tasks = Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                await mailbox.SendAsync(new Attempt(3));
            }
        }));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        // Each Attempt(3) evaluates three guards; a lost or torn update of the (unsynchronized) list would show here.
        var count = await mailbox.InvokeAsync(g => g.Log.Count).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(senders * perSender * 3, count);
        Assert.True(await mailbox.InvokeAsync(g => g.IsIn<Guards.P.L1>()));
    }

    [Fact]
    public async Task AHandlerExceptionFaultsTheSendersTask()
    {
        var m = new Faulty();
        m.Start();
        m.ThrowIn = "handler";
        await using var mailbox = new HsmMailbox<Faulty>(m);
        var ex = await Assert.ThrowsAsync<HsmActionException>(() => mailbox.SendAsync(new Poke()).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("Poke", ex.EventType);
        await mailbox.InvokeAsync(f => f.ThrowIn = "");
        await mailbox.SendAsync(new Move()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await mailbox.InvokeAsync(f => f.IsIn<Faulty.S2.S21>()));
    }
}
