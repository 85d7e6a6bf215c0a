using HsmRaft.Core;
using HsmRaft.Storage;

namespace HsmRaft.Tests.Core.Harness;

/// <summary>Terse builders for core tests: ids, configurations, logs with given terms, options and initial states.
/// Node <c>n</c> always lives at address <c>"node{n}"</c>.</summary>
internal static class Build
{
    public const int ElectionTicks = 10;

    public static NodeId Id(int id) => new((ulong)id);

    public static string AddressOf(int id) => $"node{id}";

    public static ClusterMember Member(int id) => new(Id(id), AddressOf(id));

    public static ClusterConfiguration Voters(params int[] ids) => ClusterConfiguration.OfVoters(ids.Select(Member).ToArray());

    public static ClusterConfiguration WithLearners(int[] voters, int[] learners) =>
        new(voters.Concat(learners).Select(Member), voters.Select(Id), learners.Select(Id), []);

    /// <summary>The joint configuration C(old,new) of a change from <paramref name="outgoing"/> to <paramref name="incoming"/> voters.</summary>
    public static ClusterConfiguration Joint(int[] incoming, int[] outgoing) =>
        new(incoming.Concat(outgoing).Distinct().Select(Member), incoming.Select(Id), [], outgoing.Select(Id));

    /// <summary>A command entry whose payload identifies it (index and term), so logs compare by content.</summary>
    public static LogEntry Command(long index, long term) =>
        new(index, term, LogEntryKind.Command, new[] { (byte)index, (byte)(index >> 8), (byte)term });

    /// <summary>Entries 1..n with the given terms.</summary>
    public static LogEntry[] Entries(params long[] terms) => terms.Select((t, i) => Command(i + 1, t)).ToArray();

    /// <summary>(index, term) of each entry: what log comparisons look at (payloads are memory, compared by reference).</summary>
    public static (long Index, long Term)[] Positions(IEnumerable<LogEntry> entries) => entries.Select(e => (e.Index, e.Term)).ToArray();

    public static RaftCoreOptions Options(int id, Action<RaftCoreOptions>? configure = null)
    {
        var options = new RaftCoreOptions { Id = Id(id), ElectionTicks = ElectionTicks, HeartbeatTicks = 1, Seed = id };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A recovered state: hard state, log (from index 1) and the configuration in force (kept outside the log).</summary>
    public static RaftCoreInitialState State(ClusterConfiguration config, long term = 0, int votedFor = 0, long commit = 0, IReadOnlyList<LogEntry>? log = null) =>
        new(new HardState(term, Id(votedFor), commit), new LogRecovery(0, 0, log ?? []), null, config);
}
