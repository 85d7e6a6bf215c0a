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
    public void Incremental_updates_equal_one_pass()
    {
        var data = Entries.Payload(7, 3, 1001);
        var crc = Crc32C.Update(Crc32C.Update(Crc32C.Seed, data.AsSpan(0, 13)), data.AsSpan(13));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(crc));
    }
}
