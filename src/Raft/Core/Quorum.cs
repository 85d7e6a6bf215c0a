namespace HsmRaft.Core;

/// <summary>Majority arithmetic over a (possibly joint) configuration: a decision needs a majority of the voters and, while joint,
/// a separate majority of the outgoing voters (thesis §4.3).</summary>
internal static class Quorum
{
    /// <summary>The highest index known to be stored on a majority, given each voter's match index.</summary>
    public static long CommittedIndex(ClusterConfiguration config, Func<NodeId, long> match)
    {
        var committed = MajorityIndex(config.Voters.AsSpan(), match);
        if (config.IsJoint)
        {
            committed = Math.Min(committed, MajorityIndex(config.OutgoingVoters.AsSpan(), match));
        }

        return committed;
    }

    private static long MajorityIndex(ReadOnlySpan<NodeId> voters, Func<NodeId, long> match)
    {
        if (voters.IsEmpty)
        {
            return long.MaxValue;
        }

        Span<long> matches = voters.Length <= 64 ? stackalloc long[voters.Length] : new long[voters.Length];
        for (var i = 0; i < voters.Length; i++)
        {
            matches[i] = match(voters[i]);
        }

        matches.Sort();

        // Sorted ascending: the element at n - (n/2 + 1) is held by at least a majority.
        return matches[voters.Length - ((voters.Length / 2) + 1)];
    }

    /// <summary>Outcome of an election given the votes received so far.</summary>
    public static VoteOutcome Tally(ClusterConfiguration config, IReadOnlyDictionary<NodeId, bool> votes)
    {
        var incoming = TallyHalf(config.Voters.AsSpan(), votes);
        if (!config.IsJoint)
        {
            return incoming;
        }

        var outgoing = TallyHalf(config.OutgoingVoters.AsSpan(), votes);
        if (incoming == VoteOutcome.Lost || outgoing == VoteOutcome.Lost)
        {
            return VoteOutcome.Lost;
        }

        return incoming == VoteOutcome.Won && outgoing == VoteOutcome.Won ? VoteOutcome.Won : VoteOutcome.Pending;
    }

    private static VoteOutcome TallyHalf(ReadOnlySpan<NodeId> voters, IReadOnlyDictionary<NodeId, bool> votes)
    {
        if (voters.IsEmpty)
        {
            return VoteOutcome.Won;
        }

        int granted = 0, rejected = 0;
        foreach (var v in voters)
        {
            if (votes.TryGetValue(v, out var g))
            {
                if (g)
                {
                    granted++;
                }
                else
                {
                    rejected++;
                }
            }
        }

        var majority = (voters.Length / 2) + 1;
        if (granted >= majority)
        {
            return VoteOutcome.Won;
        }

        return voters.Length - rejected < majority ? VoteOutcome.Lost : VoteOutcome.Pending;
    }

    /// <summary>True when the nodes for which <paramref name="active"/> holds form a quorum of the configuration.</summary>
    public static bool IsQuorum(ClusterConfiguration config, Func<NodeId, bool> active) =>
        HalfQuorum(config.Voters.AsSpan(), active) && (!config.IsJoint || HalfQuorum(config.OutgoingVoters.AsSpan(), active));

    private static bool HalfQuorum(ReadOnlySpan<NodeId> voters, Func<NodeId, bool> active)
    {
        if (voters.IsEmpty)
        {
            return true;
        }

        var count = 0;
        foreach (var v in voters)
        {
            if (active(v))
            {
                count++;
            }
        }

        return count >= (voters.Length / 2) + 1;
    }
}

/// <summary>State of an election.</summary>
internal enum VoteOutcome
{
    Pending,
    Won,
    Lost,
}
