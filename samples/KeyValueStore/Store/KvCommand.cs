using System.Buffers;
using System.Text;

namespace HsmRaft.Samples.KeyValueStore.Store;

/// <summary>What a replicated command does.</summary>
public enum KvOp : byte
{
    /// <summary>Set a key to a value.</summary>
    Put = 1,

    /// <summary>Remove a key.</summary>
    Delete = 2,

    /// <summary>Set a key to a value only if its current value is the expected one (absent when the expectation is null).</summary>
    CompareAndSwap = 3,

    /// <summary>Record the HTTP address of a node's API, so followers can send clients to the leader.</summary>
    AnnounceApi = 4,
}

/// <summary>
/// One command of the replicated log, encoded compactly: one op byte, then length-prefixed UTF-8 strings
/// (7-bit variable-length lengths, so a short key costs one length byte). A compare-and-swap carries a flags byte saying
/// whether an expected value follows (bit 0). Encoding is deterministic, so every node decodes the same command.
/// </summary>
public readonly record struct KvCommand(KvOp Op, string Key, string? Value = null, string? Expected = null, ulong NodeId = 0)
{
    /// <summary>The largest key accepted, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>The largest value accepted, in UTF-8 bytes.</summary>
    public const int MaxValueBytes = 1 << 20;

    /// <summary>Encodes the command for <c>ProposeAsync</c>.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(16 + Key.Length + (Value?.Length ?? 0) + (Expected?.Length ?? 0));
        buffer.GetSpan(1)[0] = (byte)Op;
        buffer.Advance(1);
        switch (Op)
        {
            case KvOp.Put:
                WriteString(buffer, Key);
                WriteString(buffer, Value ?? throw new InvalidOperationException("A PUT needs a value."));
                break;
            case KvOp.Delete:
                WriteString(buffer, Key);
                break;
            case KvOp.CompareAndSwap:
                WriteString(buffer, Key);
                buffer.GetSpan(1)[0] = Expected is null ? (byte)0 : (byte)1;
                buffer.Advance(1);
                if (Expected is not null)
                {
                    WriteString(buffer, Expected);
                }

                WriteString(buffer, Value ?? throw new InvalidOperationException("A compare-and-swap needs a new value."));
                break;
            case KvOp.AnnounceApi:
                WriteVarint(buffer, NodeId);
                WriteString(buffer, Value ?? throw new InvalidOperationException("An announcement needs an address."));
                break;
            default:
                throw new InvalidOperationException($"Unknown operation {Op}.");
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a command written by <see cref="Encode"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid command (names what is wrong).</exception>
    public static KvCommand Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDataException("Empty key-value command.");
        }

        var op = (KvOp)data[0];
        var rest = data[1..];
        KvCommand command;
        switch (op)
        {
            case KvOp.Put:
                command = new KvCommand(op, ReadString(ref rest), ReadString(ref rest));
                break;
            case KvOp.Delete:
                command = new KvCommand(op, ReadString(ref rest));
                break;
            case KvOp.CompareAndSwap:
                var key = ReadString(ref rest);
                var flags = ReadByte(ref rest);
                var expected = (flags & 1) != 0 ? ReadString(ref rest) : null;
                command = new KvCommand(op, key, ReadString(ref rest), expected);
                break;
            case KvOp.AnnounceApi:
                var node = ReadVarint(ref rest);
                command = new KvCommand(op, "", ReadString(ref rest), NodeId: node);
                break;
            default:
                throw new InvalidDataException($"Unknown key-value operation code {data[0]}.");
        }

        if (!rest.IsEmpty)
        {
            throw new InvalidDataException($"{rest.Length} unexpected trailing bytes after a {op} command.");
        }

        return command;
    }

    internal static void WriteString(IBufferWriter<byte> buffer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteVarint(buffer, (ulong)length);
        var span = buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(text, span);
        buffer.Advance(length);
    }

    internal static void WriteVarint(IBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    internal static string ReadString(ref ReadOnlySpan<byte> data)
    {
        var length = ReadVarint(ref data);
        if (length > (ulong)data.Length)
        {
            throw new InvalidDataException($"A string of {length} bytes is announced but only {data.Length} bytes remain.");
        }

        var text = Encoding.UTF8.GetString(data[..(int)length]);
        data = data[(int)length..];
        return text;
    }

    internal static ulong ReadVarint(ref ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte(ref data);
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A variable-length integer is longer than 10 bytes.");
    }

    private static byte ReadByte(ref ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDataException("The command ends early.");
        }

        var b = data[0];
        data = data[1..];
        return b;
    }
}

/// <summary>The outcome of applying a command, returned to the proposer.</summary>
/// <param name="Succeeded">False only for a compare-and-swap whose expectation did not hold, or a delete of a missing key.</param>
/// <param name="Current">The key's value after the command (for a failed compare-and-swap: the value that stopped it).</param>
/// <param name="Revision">The log index of the key's last change (0 when absent).</param>
public sealed record KvResult(bool Succeeded, string? Current, long Revision);
