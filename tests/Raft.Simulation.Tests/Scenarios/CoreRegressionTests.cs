using HsmRaft.Messages;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Core bugs the random simulation found, each minimised to a deterministic scenario.</summary>
public class CoreRegressionTests
{
    /// <summary>
    /// Found by seed 1: a follower in the pipelined (Replicate) state lost the last AppendEntries of a burst. Nothing new was
    /// proposed afterwards, so no later append exposed the gap, and the leader never resent it: the follower stayed one entry
    /// behind forever.
    /// </summary>
    [Fact]
    public void LostAppendInPipelinedStateIsResent()
    {
        var c = Scenario.Create(typeof(CoreRegressionTests), nodes: 3);
        var leader = c.CheckOneLeader();
        c.One("a", 3, retry: false);
        var follower = new NodeId((leader.Value % 3) + 1);
        var dropped = 0;
        c.Network.DropIf = m => m is AppendEntries { Entries.Count: > 0 } ae && ae.To == follower && dropped++ == 0;
        var ticket = c.Start(leader, "b")!.Value;
        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count >= 2, 5 * c.ElectionTicks));
        Assert.Equal(1, dropped);

        Assert.True(c.RunUntil(() => c.NCommitted(ticket.Index).Count == 3, 5 * c.ElectionTicks),
            $"follower {follower} never received entry {ticket.Index}: {c[follower]}");
    }
}
