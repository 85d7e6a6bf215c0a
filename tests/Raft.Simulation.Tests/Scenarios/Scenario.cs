using System.Runtime.CompilerServices;
using HsmRaft.Simulation.Linearizability;
using HsmRaft.Simulation.Sim;

namespace HsmRaft.Simulation.Scenarios;

/// <summary>Builds the cluster of a scripted scenario: a fixed seed, and a failure message that names the test to re-run.</summary>
internal static class Scenario
{
    public const string Project = "tests/Raft.Simulation.Tests/Raft.Simulation.Tests.csproj";

    public static Cluster Create(Type testClass, int nodes, int seed = 1, Func<SimOptions, SimOptions>? tweak = null,
        [CallerMemberName] string test = "")
    {
        var name = $"{testClass.FullName}.{test}";
        var options = new SimOptions
        {
            Name = $"{name} (seed {seed})",
            ReplayCommand = $"dotnet test {Project} -c Release --filter \"FullyQualifiedName={name}\"",
            Seed = seed,
            Nodes = nodes,
        };
        return new Cluster(tweak is null ? options : tweak(options));
    }

    /// <summary>Heals the cluster, lets the clients finish, reads every key once more, and checks that more than
    /// <paramref name="minCompleted"/> operations completed and the history is linearizable.</summary>
    public static void HealAndCheckLinearizable(Cluster c, KvWorkload workload, int minCompleted)
    {
        c.HealAndConverge();
        workload.Stop();
        Assert.True(c.RunUntil(() => workload.Idle, 60));
        workload.FinalReads(100);
        Assert.True(workload.Completed > minCompleted, $"only {workload.Completed} client operations completed");
        var verdict = LinearizabilityChecker.Check(workload.History.Checkable());
        if (!verdict.Ok)
        {
            c.Fail("linearizability", verdict.Explanation);
        }
    }
}
