using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace HsmRaft;

/// <summary>
/// A cluster configuration: who votes, who only learns, and where every member lives.
/// While a joint-consensus change is in progress (<see cref="IsJoint"/>), decisions need a majority of
/// <see cref="Voters"/> (C<sub>new</sub>) and, separately, of <see cref="OutgoingVoters"/> (C<sub>old</sub>) — Raft thesis §4.3.
/// Instances are immutable and compare by value.
/// </summary>
public sealed class ClusterConfiguration : IEquatable<ClusterConfiguration>
{
    private const byte EncodingVersion = 1;

    /// <summary>The empty configuration of a node that has not joined any cluster.</summary>
    public static ClusterConfiguration Empty { get; } = new([], [], [], []);

    /// <summary>Creates a configuration. Id lists are sorted and de-duplicated.</summary>
    /// <exception cref="ArgumentException">A voter or learner has no address in <paramref name="members"/>,
    /// a node is both voter and learner of the new configuration, or an id is <see cref="NodeId.None"/>.</exception>
    public ClusterConfiguration(
        IEnumerable<ClusterMember> members,
        IEnumerable<NodeId> voters,
        IEnumerable<NodeId> learners,
        IEnumerable<NodeId> outgoingVoters)
    {
        Members = [.. members.DistinctBy(m => m.Id).OrderBy(m => m.Id)];
        Voters = [.. voters.Distinct().Order()];
        Learners = [.. learners.Distinct().Order()];
        OutgoingVoters = [.. outgoingVoters.Distinct().Order()];
        Validate();
    }

    /// <summary>A stable (non-joint) configuration where every member votes.</summary>
    public static ClusterConfiguration OfVoters(params ClusterMember[] members) =>
        new(members, members.Select(m => m.Id), [], []);

    /// <summary>Every member, with its address, sorted by id.</summary>
    public ImmutableArray<ClusterMember> Members { get; }

    /// <summary>The voters of the new (or only) configuration, sorted.</summary>
    public ImmutableArray<NodeId> Voters { get; }

    /// <summary>Non-voting members that receive the log and snapshots, sorted.</summary>
    public ImmutableArray<NodeId> Learners { get; }

    /// <summary>The voters of the old configuration while joint; empty otherwise.</summary>
    public ImmutableArray<NodeId> OutgoingVoters { get; }

    /// <summary>True while a joint configuration C<sub>old,new</sub> is in force.</summary>
    public bool IsJoint => !OutgoingVoters.IsEmpty;

    /// <summary>True when the node votes in either half of the configuration.</summary>
    public bool IsVoter(NodeId id) => Voters.Contains(id) || OutgoingVoters.Contains(id);

    /// <summary>True when the node is a learner and not a voter of either half.</summary>
    public bool IsLearner(NodeId id) => Learners.Contains(id) && !IsVoter(id);

    /// <summary>True when the node belongs to the configuration in any role.</summary>
    public bool Contains(NodeId id) => IsVoter(id) || Learners.Contains(id);

    /// <summary>The address of a member, or null when it is not a member.</summary>
    public string? AddressOf(NodeId id)
    {
        foreach (var m in Members)
        {
            if (m.Id == id)
            {
                return m.Address;
            }
        }

        return null;
    }

    /// <summary>Every node that receives the log: voters of both halves and learners, sorted, without duplicates.</summary>
    public IEnumerable<NodeId> AllNodes() => Voters.Concat(OutgoingVoters).Concat(Learners).Distinct().Order();

    /// <summary>The configuration that ends a joint change: C<sub>new</sub> alone, members trimmed to those still present.</summary>
    public ClusterConfiguration LeaveJoint()
    {
        var keep = Voters.Concat(Learners).ToHashSet();
        return new ClusterConfiguration(Members.Where(m => keep.Contains(m.Id)), Voters, Learners, []);
    }

    private void Validate()
    {
        foreach (var id in Voters.Concat(Learners).Concat(OutgoingVoters))
        {
            if (id.IsNone)
            {
                throw new ArgumentException("Node id 0 is reserved for 'no node'; give every member a positive id.");
            }

            if (AddressOf(id) is null)
            {
                throw new ArgumentException($"Node {id} is in the configuration but has no address: add a ClusterMember for it.");
            }
        }

        foreach (var id in Learners)
        {
            if (Voters.Contains(id))
            {
                throw new ArgumentException($"Node {id} cannot be both a voter and a learner of the same configuration.");
            }
        }
    }

    /// <summary>Encodes the configuration for a log entry or snapshot metadata (versioned binary format).</summary>
    public byte[] Encode()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(EncodingVersion);
        w.Write(Members.Length);
        foreach (var m in Members)
        {
            w.Write(m.Id.Value);
            w.Write(m.Address);
        }

        WriteIds(w, Voters);
        WriteIds(w, Learners);
        WriteIds(w, OutgoingVoters);
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a configuration of a known version.</exception>
    public static ClusterConfiguration Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return Empty;
        }

        try
        {
            using var ms = new MemoryStream(data.ToArray(), writable: false);
            using var r = new BinaryReader(ms, Encoding.UTF8);
            var version = r.ReadByte();
            if (version != EncodingVersion)
            {
                throw new InvalidDataException($"Cluster configuration encoding version {version} is not supported (this build reads version {EncodingVersion}).");
            }

            var count = r.ReadInt32();
            if (count < 0 || count > 100_000)
            {
                throw new InvalidDataException($"Cluster configuration claims {count} members.");
            }

            var members = new ClusterMember[count];
            for (var i = 0; i < count; i++)
            {
                members[i] = new ClusterMember(new NodeId(r.ReadUInt64()), r.ReadString());
            }

            var voters = ReadIds(r);
            var learners = ReadIds(r);
            var outgoing = ReadIds(r);
            return new ClusterConfiguration(members, voters, learners, outgoing);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or IOException)
        {
            throw new InvalidDataException("Cluster configuration bytes are malformed: " + e.Message, e);
        }
    }

    private static void WriteIds(BinaryWriter w, ImmutableArray<NodeId> ids)
    {
        w.Write(ids.Length);
        foreach (var id in ids)
        {
            w.Write(id.Value);
        }
    }

    private static NodeId[] ReadIds(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0 || count > 100_000)
        {
            throw new InvalidDataException($"Cluster configuration claims {count} ids.");
        }

        var ids = new NodeId[count];
        Span<byte> buf = stackalloc byte[8];
        for (var i = 0; i < count; i++)
        {
            r.BaseStream.ReadExactly(buf);
            ids[i] = new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(buf));
        }

        return ids;
    }

    /// <inheritdoc />
    public bool Equals(ClusterConfiguration? other) =>
        other is not null &&
        Members.SequenceEqual(other.Members) &&
        Voters.SequenceEqual(other.Voters) &&
        Learners.SequenceEqual(other.Learners) &&
        OutgoingVoters.SequenceEqual(other.OutgoingVoters);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ClusterConfiguration);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var id in Voters)
        {
            h.Add(id);
        }

        foreach (var id in OutgoingVoters)
        {
            h.Add(id);
        }

        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var s = "voters=[" + string.Join(",", Voters) + "]";
        if (IsJoint)
        {
            s += " outgoing=[" + string.Join(",", OutgoingVoters) + "]";
        }

        if (!Learners.IsEmpty)
        {
            s += " learners=[" + string.Join(",", Learners) + "]";
        }

        return s;
    }
}
