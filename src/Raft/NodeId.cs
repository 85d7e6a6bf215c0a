using System.Globalization;

namespace HsmRaft;

/// <summary>
/// Identifies a node of a Raft cluster. Ids are positive; <see cref="None"/> (0) means "no node"
/// (no vote cast, no known leader).
/// </summary>
public readonly record struct NodeId(ulong Value) : IComparable<NodeId>
{
    /// <summary>The absent node: no vote cast, no leader known.</summary>
    public static NodeId None => default;

    /// <summary>True when this is <see cref="None"/>.</summary>
    public bool IsNone => Value == 0;

    /// <inheritdoc />
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);

    /// <summary>Parses a decimal node id such as <c>"3"</c>.</summary>
    /// <exception cref="FormatException">The text is not a positive 64-bit integer.</exception>
    public static NodeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value == 0)
        {
            throw new FormatException($"'{text}' is not a valid node id: use a positive integer such as 1, 2 or 3.");
        }

        return new NodeId(value);
    }

    /// <summary>Converts a raw id; 0 gives <see cref="None"/>.</summary>
    public static implicit operator NodeId(ulong value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
