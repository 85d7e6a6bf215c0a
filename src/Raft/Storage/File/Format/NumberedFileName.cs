using System.Globalization;

namespace HsmRaft.Storage.Format;

/// <summary>File names made of two zero-padded decimal numbers and an extension (<c>{a}-{b}.ext</c>), so that an ordinal sort
/// is a numeric sort and an operator can read the numbers.</summary>
internal readonly record struct NumberedFileName(int FirstWidth, int SecondWidth, string Extension)
{
    /// <summary>Segments: <c>{sequence:D16}-{first index:D20}.seg</c>.</summary>
    public static NumberedFileName Segment { get; } = new(16, 20, ".seg");

    /// <summary>Snapshots: <c>{last included index:D20}-{last included term:D20}.snap</c>.</summary>
    public static NumberedFileName Snapshot { get; } = new(20, 20, ".snap");

    public string Format(long first, long second) =>
        first.ToString("D" + FirstWidth, CultureInfo.InvariantCulture) + "-" + second.ToString("D" + SecondWidth, CultureInfo.InvariantCulture) + Extension;

    public bool TryParse(string name, out long first, out long second)
    {
        first = second = 0;
        return name.Length == FirstWidth + 1 + SecondWidth + Extension.Length
            && name.EndsWith(Extension, StringComparison.Ordinal)
            && name[FirstWidth] == '-'
            && long.TryParse(name.AsSpan(0, FirstWidth), NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(name.AsSpan(FirstWidth + 1, SecondWidth), NumberStyles.None, CultureInfo.InvariantCulture, out second)
            && first > 0 && second > 0;
    }
}
