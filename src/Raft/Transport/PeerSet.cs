using System.Collections.Frozen;

namespace HsmRaft.Transport;

/// <summary>Applies a membership change to a transport's per-peer state: keeps the links whose address is unchanged,
/// creates links for new peers (and for peers whose address changed), and stops the rest.</summary>
public static class PeerSet
{
    /// <summary>Returns the links for <paramref name="peers"/> (excluding <paramref name="self"/>).</summary>
    /// <param name="current">The links in use now.</param>
    /// <param name="peers">The new peer list.</param>
    /// <param name="self">The local node, skipped when listed.</param>
    /// <param name="memberOf">The member a link was created for.</param>
    /// <param name="create">Creates (and, if the transport runs, starts) a link.</param>
    /// <param name="stop">Stops a link that is no longer needed.</param>
    public static FrozenDictionary<NodeId, TLink> Reconcile<TLink>(
        FrozenDictionary<NodeId, TLink> current,
        IReadOnlyCollection<ClusterMember> peers,
        NodeId self,
        Func<TLink, ClusterMember> memberOf,
        Func<ClusterMember, TLink> create,
        Action<TLink> stop)
        where TLink : class
    {
        ArgumentNullException.ThrowIfNull(peers);
        var next = new Dictionary<NodeId, TLink>();
        foreach (var member in peers)
        {
            if (member.Id == self || next.ContainsKey(member.Id))
            {
                continue;
            }

            next.Add(member.Id, current.TryGetValue(member.Id, out var existing) && memberOf(existing).Address == member.Address
                ? existing
                : create(member));
        }

        foreach (var (id, old) in current)
        {
            if (!next.TryGetValue(id, out var kept) || kept != old)
            {
                stop(old);
            }
        }

        return next.ToFrozenDictionary();
    }
}
