namespace HsmRaft.Simulation.Sim;

/// <summary>
/// A simulated run broke an invariant (or the core threw). The message holds everything needed to act on it: the seed, the
/// invariant, the virtual time, the latest trace lines and the one command that replays the run exactly.
/// </summary>
internal sealed class SimulationFailure : Exception
{
    public SimulationFailure(string invariant, string details, SimOptions options, long time, string traceTail, Exception? inner = null)
        : base(Format(invariant, details, options, time, traceTail), inner)
    {
        Invariant = invariant;
        Seed = options.Seed;
    }

    public string Invariant { get; }

    public int Seed { get; }

    private static string Format(string invariant, string details, SimOptions options, long time, string traceTail) =>
        $"""
         SIMULATION FAILURE in {options.Name}
           seed:      {options.Seed}
           invariant: {invariant}
           at:        tick {time / (double)SimTime.TickMicros:0.000} (virtual)
           details:   {details}
           replay:    {options.ReplayCommand}
         last trace lines:
         {traceTail}
         """;
}
