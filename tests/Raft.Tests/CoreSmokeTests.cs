using HsmRaft.Core;

namespace HsmRaft.Tests;

public class CoreSmokeTests
{
    [Fact]
    public void ElectsALeaderAndReplicates()
    {
        var c = new MiniCluster(3);
        c.Tick(30);
        var leader = c.Leader;
        Assert.NotNull(leader);
        var ticket = leader!.Propose(new byte[] { 1, 2, 3 });
        c.Pump();
        c.Tick(2);
        foreach (var (id, applied) in c.Applied)
        {
            Assert.Contains(applied, e => e.Index == ticket.Index && e.Kind == LogEntryKind.Command);
        }
    }
}
