using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Clients keep writing and reading while nodes crash, restart, disconnect and reconnect; afterwards everything the clients
/// saw complete must be there, and the whole history must be linearizable.</summary>
public class ChurnTests
{
    [Fact]
    public void UnreliableAgreement()
    {
        var c = Scenario.Create(typeof(ChurnTests), nodes: 5, tweak: o => o with { Network = NetworkFaults.Unreliable });
        for (var i = 0; i < 50; i++)
        {
            c.One($"u{i}", 1, retry: true);
        }

        c.HealAndConverge();
        c.One("end", 5, retry: true);
    }

    [Fact]
    public void ReliableChurn() => Churn(NetworkFaults.Reliable, seed: 1);

    [Fact]
    public void UnreliableChurn() => Churn(NetworkFaults.Unreliable, seed: 2);

    private static void Churn(NetworkFaults network, int seed, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var c = Scenario.Create(typeof(ChurnTests), nodes: 5, seed, o => o with { Network = network }, test);
        var workload = new KvWorkload(c, new WorkloadOptions { Clients = 3, Keys = 3 });
        workload.Start();
        for (var iter = 0; iter < 60; iter++)
        {
            var rng = c.Random;
            var node = c[(ulong)rng.Next(1, 6)];
            if (rng.Next(100) < 20)
            {
                c.Disconnect(node.Id.Value);
            }

            if (rng.Next(100) < 50)
            {
                var n = c[(ulong)rng.Next(1, 6)];
                n.Start();
                c.Connect(n.Id.Value);
            }

            if (rng.Next(100) < 20)
            {
                c[(ulong)rng.Next(1, 6)].Crash("churn");
            }

            c.RunTicks(rng.Next(4, 16));
        }

        Scenario.HealAndCheckLinearizable(c, workload, minCompleted: 50);
    }
}
