namespace HsmRaft.Storage.Tests;

/// <summary>Runs randomized test bodies with a seed that is printed on failure and can be replayed with HSMRAFT_SEED.</summary>
internal static class Seeded
{
    public const string Variable = "HSMRAFT_SEED";

    /// <summary>The seeds to run: the one in HSMRAFT_SEED when set, otherwise <paramref name="defaults"/>.</summary>
    public static IEnumerable<int> Seeds(params int[] defaults) =>
        Environment.GetEnvironmentVariable(Variable) is { } s && int.TryParse(s, out var seed) ? [seed] : defaults;

    public static void Run(string test, IEnumerable<int> seeds, Action<int> body)
    {
        foreach (var seed in seeds)
        {
            try
            {
                body(seed);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{test} failed with seed {seed}. Replay: {Variable}={seed} dotnet test tests/Raft.Storage.Tests -c Release --filter \"FullyQualifiedName~{test}\"\n{e}");
            }
        }
    }

    public static async Task RunAsync(string test, IEnumerable<int> seeds, Func<int, Task> body)
    {
        foreach (var seed in seeds)
        {
            try
            {
                await body(seed);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{test} failed with seed {seed}. Replay: {Variable}={seed} dotnet test tests/Raft.Storage.Tests -c Release --filter \"FullyQualifiedName~{test}\"\n{e}");
            }
        }
    }
}
