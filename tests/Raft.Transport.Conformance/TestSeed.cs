namespace HsmRaft.Transport.Conformance;

/// <summary>Seeds for randomized tests: taken from <c>HSMRAFT_TEST_SEED</c> when set (to replay a failure), otherwise fresh.</summary>
public static class TestSeed
{
    /// <summary>The environment variable that replays a seed.</summary>
    public const string Variable = "HSMRAFT_TEST_SEED";

    /// <summary>Returns the seed and, in <paramref name="replay"/>, the sentence to print on failure.</summary>
    public static int Get(out string replay)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(Variable), out var s) ? s : Random.Shared.Next();
        replay = $"Seed {seed}; replay with {Variable}={seed} dotnet test --filter <this test>.";
        return seed;
    }
}
