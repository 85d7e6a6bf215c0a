using System.Buffers.Binary;

namespace HsmRaft.Storage.Format;

/// <summary>
/// The 8-byte magic numbers that start every file, so a file of the wrong kind (or a zeroed one) is recognised at once,
/// and the format version each file kind is at. A build reads its own version and every older one it knows.
/// </summary>
internal static class FileMagic
{
    public static readonly ulong Segment = Of("HRAFTLOG");
    public static readonly ulong StartMarker = Of("HRAFTMRK");
    public static readonly ulong HardState = Of("HRAFTSTA");
    public static readonly ulong Snapshot = Of("HRAFTSNP");
    public static readonly ulong SnapshotEnd = Of("HRAFTEND");

    /// <summary>The only format version written and read by this build, for every file kind.</summary>
    public const uint CurrentVersion = 1;

    private static ulong Of(string text) =>
        BinaryPrimitives.ReadUInt64LittleEndian(System.Text.Encoding.ASCII.GetBytes(text));
}
