using System.Runtime.CompilerServices;
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
}
