using System.Buffers.Binary;
using System.Numerics;

namespace HsmRaft.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every record and file. <see cref="BitOperations.Crc32C(uint, ulong)"/> compiles
/// to the SSE4.2 / ARMv8 CRC instruction where available (a software table otherwise), so checksumming runs at
/// several GB/s and never limits a disk-bound append path.
/// </summary>
internal static class Crc32C
{
    /// <summary>The initial register value (the standard's pre-inversion).</summary>
    public const uint Seed = 0xFFFFFFFF;

    /// <summary>The finished CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Seed, data));

    /// <summary>Feeds <paramref name="data"/> into a running register (start from <see cref="Seed"/>).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return crc;
    }

    /// <summary>Turns a running register into the CRC value (the standard's post-inversion).</summary>
    public static uint Finish(uint crc) => ~crc;
}
