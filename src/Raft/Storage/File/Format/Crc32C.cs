using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HsmRaft.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every record and file. <see cref="BitOperations.Crc32C(uint, ulong)"/> compiles
/// to the SSE4.2 / ARMv8 CRC instruction where available (a software table otherwise). That instruction takes 3 cycles
/// but can start every cycle, so long inputs are checksummed as three interleaved streams whose registers are then
/// combined: about three times the speed of one dependent chain, which matters for 64 MiB append batches.
/// </summary>
internal static class Crc32C
{
    /// <summary>The initial register value (the standard's pre-inversion).</summary>
    public const uint Seed = 0xFFFFFFFF;

    /// <summary>Length of each of the three interleaved streams.</summary>
    internal const int StreamLength = 1024;

    /// <summary>The Castagnoli polynomial, bit-reflected (bit 31 is the coefficient of x^0; x^32 is implied).</summary>
    private const uint Polynomial = 0x82F63B78;

    /// <summary>Tables of the linear map "register after <see cref="StreamLength"/> more zero bytes", one per register byte.</summary>
    private static readonly uint[] s_shift = BuildShiftTables();

    /// <summary>The finished CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Seed, data));

    /// <summary>Feeds <paramref name="data"/> into a running register (start from <see cref="Seed"/>).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var i = 0;
        for (; i + (3 * StreamLength) <= data.Length; i += 3 * StreamLength)
        {
            // The register update is linear, so the CRC of a||b||c from register r is shift(shift(crc(r, a)) ^ crc(0, b)) ^ crc(0, c).
            uint a = crc, b = 0, c = 0;
            ref var block = ref Unsafe.Add(ref p, i);
            for (var k = 0; k < StreamLength; k += 8)
            {
                a = BitOperations.Crc32C(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, k)));
                b = BitOperations.Crc32C(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, k + StreamLength)));
                c = BitOperations.Crc32C(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, k + (2 * StreamLength))));
            }

            crc = Shift(Shift(a) ^ b) ^ c;
        }

        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        }

        return crc;
    }

    /// <summary>Turns a running register into the CRC value (the standard's post-inversion).</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The register after feeding <see cref="StreamLength"/> zero bytes into <paramref name="crc"/>.</summary>
    private static uint Shift(uint crc)
    {
        var t = s_shift;
        return t[(int)(crc & 0xFF)] ^ t[256 + (int)((crc >> 8) & 0xFF)] ^ t[512 + (int)((crc >> 16) & 0xFF)] ^ t[768 + (int)(crc >> 24)];
    }

    /// <summary>Feeding n zero bytes multiplies the register by x^(8n) modulo the polynomial; tabulate that product for
    /// each value of each register byte (the map is linear, so the four lookups XOR together).</summary>
    private static uint[] BuildShiftTables()
    {
        var factor = 0x80000000u; // x^0
        for (var bit = 0; bit < 8 * StreamLength; bit++)
        {
            factor = TimesX(factor);
        }

        var tables = new uint[4 * 256];
        for (var position = 0; position < 4; position++)
        {
            for (var value = 0; value < 256; value++)
            {
                tables[(position * 256) + value] = Multiply((uint)value << (8 * position), factor);
            }
        }

        return tables;
    }

    /// <summary>a * b modulo the polynomial, both bit-reflected.</summary>
    private static uint Multiply(uint a, uint b)
    {
        var product = 0u;
        for (var i = 0; i < 32; i++)
        {
            if ((a & (0x80000000u >> i)) != 0)
            {
                product ^= b;
            }

            b = TimesX(b);
        }

        return product;
    }

    private static uint TimesX(uint p) => (p & 1) != 0 ? (p >> 1) ^ Polynomial : p >> 1;
}
