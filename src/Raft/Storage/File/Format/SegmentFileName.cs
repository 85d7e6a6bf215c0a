using System.Globalization;

namespace HsmRaft.Storage.Format;

/// <summary>Segment files are named <c>{sequence:D16}-{first index:D20}.seg</c>, so an ordinal sort is the log order and an
/// operator can see which indexes a file starts at.</summary>
internal static class SegmentFileName
{
    public const string Extension = ".seg";

    public static string Format(long sequence, long firstIndex) =>
        sequence.ToString("D16", CultureInfo.InvariantCulture) + "-" + firstIndex.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParse(string name, out long sequence, out long firstIndex)
    {
        sequence = firstIndex = 0;
        return name.Length == 16 + 1 + 20 + Extension.Length
            && name.EndsWith(Extension, StringComparison.Ordinal)
            && name[16] == '-'
            && long.TryParse(name.AsSpan(0, 16), NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && long.TryParse(name.AsSpan(17, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstIndex)
            && sequence > 0 && firstIndex > 0;
    }
}
