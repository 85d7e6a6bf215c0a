using System.Text;
using HsmRaft.Storage.Format;

namespace HsmRaft.Storage.Tests;

public class Crc32CTests
{
    [Fact]
    public void Matches_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Matches_rfc3720_vectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void The_interleaved_long_input_path_matches_a_bit_by_bit_reference_at_every_boundary()
    {
        var data = Entries.Payload(11, 2, (7 * Crc32C.StreamLength) + 100);
        var lengths = new[] { 0, 1, 7, 8, 9 }
            .Concat(Enumerable.Range(-9, 19).Select(d => (3 * Crc32C.StreamLength) + d))
            .Concat(Enumerable.Range(-9, 19).Select(d => (6 * Crc32C.StreamLength) + d))
            .Append(data.Length);
        foreach (var length in lengths)
        {
            Assert.True(Reference(data.AsSpan(0, length)) == Crc32C.Compute(data.AsSpan(0, length)), $"CRC of the first {length} bytes differs");
        }

        // From a register other than the seed (a record CRC continues from its header's).
        var start = Crc32C.Update(Crc32C.Seed, data.AsSpan(0, 5));
        Assert.Equal(Reference(data.AsSpan(0, 5 + (3 * Crc32C.StreamLength))), Crc32C.Finish(Crc32C.Update(start, data.AsSpan(5, 3 * Crc32C.StreamLength))));
    }

    /// <summary>The textbook shift-register definition, one bit at a time.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public void Incremental_updates_equal_one_pass()
    {
        var data = Entries.Payload(7, 3, 1001);
        var crc = Crc32C.Update(Crc32C.Update(Crc32C.Seed, data.AsSpan(0, 13)), data.AsSpan(13));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(crc));
    }
}
