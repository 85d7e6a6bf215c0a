using System.Buffers;
using System.Collections.Immutable;

namespace HsmRaft.Samples.KeyValueStore.Store;

/// <summary>
/// The snapshot file of the key-value store: magic <c>HKV1</c>, the applied index, the entry count, each entry
/// (key, value, revision), then the API directory (node id, address). Strings and integers use the command encoding
/// (<see cref="KvCommand"/>). The snapshot store checksums the whole file; this format only has to be unambiguous.
/// </summary>
internal static class KvSnapshotFormat
{
    private const int FlushThreshold = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "HKV1"u8;

    public static async ValueTask WriteAsync(KvState state, Stream destination, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold * 2);
        buffer.Write(Magic);
        KvCommand.WriteVarint(buffer, (ulong)state.AppliedIndex);
        KvCommand.WriteVarint(buffer, (ulong)state.Data.Count);
        foreach (var (key, entry) in state.Data)
        {
            KvCommand.WriteString(buffer, key);
            KvCommand.WriteString(buffer, entry.Value);
            KvCommand.WriteVarint(buffer, (ulong)entry.Revision);
            if (buffer.WrittenCount >= FlushThreshold)
            {
                await destination.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        KvCommand.WriteVarint(buffer, (ulong)state.Apis.Count);
        foreach (var (node, address) in state.Apis)
        {
            KvCommand.WriteVarint(buffer, node);
            KvCommand.WriteString(buffer, address);
        }

        await destination.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
    }

    public static async ValueTask<KvState> ReadAsync(Stream source, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        await source.CopyToAsync(copy, ct).ConfigureAwait(false);
        return Parse(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    private static KvState Parse(ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith(Magic))
        {
            throw new InvalidDataException("This is not a key-value store snapshot (the file does not start with 'HKV1').");
        }

        data = data[Magic.Length..];
        var applied = (long)KvCommand.ReadVarint(ref data);
        var count = KvCommand.ReadVarint(ref data);
        var entries = ImmutableDictionary.CreateBuilder<string, KvEntry>(StringComparer.Ordinal);
        for (ulong i = 0; i < count; i++)
        {
            var key = KvCommand.ReadString(ref data);
            var value = KvCommand.ReadString(ref data);
            entries[key] = new KvEntry(value, (long)KvCommand.ReadVarint(ref data));
        }

        var apiCount = KvCommand.ReadVarint(ref data);
        var apis = ImmutableDictionary.CreateBuilder<ulong, string>();
        for (ulong i = 0; i < apiCount; i++)
        {
            var node = KvCommand.ReadVarint(ref data);
            apis[node] = KvCommand.ReadString(ref data);
        }

        if (!data.IsEmpty)
        {
            throw new InvalidDataException($"The key-value snapshot has {data.Length} unexpected bytes after its last record.");
        }

        return new KvState(entries.ToImmutable(), apis.ToImmutable(), applied);
    }
}
