using System.Buffers.Binary;

namespace HsmRaft.Storage.Format;

/// <summary>
/// Small files replaced atomically as a whole (the hard state and the log's start marker).
/// Layout (little-endian): magic u64 | version u32 | payload length u32 | payload | CRC-32C u32 of everything before it.
/// A save writes <c>name.tmp</c>, syncs it, renames it over <c>name</c> and syncs the directory, so after a crash the
/// file holds either the old or the new content; a checksum failure therefore always means damage, never a torn write.
/// </summary>
internal static class ChecksummedFile
{
    private const int HeaderSize = 16;
    private const int MaxPayload = 64 << 20;

    public static byte[] Encode(ulong magic, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[HeaderSize + payload.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), FileMagic.CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)payload.Length);
        payload.CopyTo(bytes.AsSpan(HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderSize + payload.Length), Crc32C.Compute(bytes.AsSpan(0, HeaderSize + payload.Length)));
        return bytes;
    }

    /// <summary>Validates <paramref name="file"/> and returns its payload.</summary>
    /// <exception cref="StorageCorruptedException">Wrong magic, length or checksum.</exception>
    /// <exception cref="UnsupportedStorageFormatException">A newer format version.</exception>
    public static ReadOnlySpan<byte> Decode(string path, ulong magic, ReadOnlySpan<byte> file, string what)
    {
        if (file.Length < HeaderSize + 4)
        {
            throw new StorageCorruptedException(path, 0, null, $"the {what} file is {file.Length} bytes long, shorter than its {HeaderSize + 4}-byte minimum");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(file) != magic)
        {
            throw new StorageCorruptedException(path, 0, null, $"the {what} file does not start with its magic number");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]);
        if (length > MaxPayload || HeaderSize + length + 4 != file.Length)
        {
            throw new StorageCorruptedException(path, 12, null, $"the {what} file claims a {length}-byte payload but is {file.Length} bytes long");
        }

        var end = HeaderSize + (int)length;
        if (Crc32C.Compute(file[..end]) != BinaryPrimitives.ReadUInt32LittleEndian(file[end..]))
        {
            throw new StorageCorruptedException(path, end, null, $"the {what} file's CRC-32C does not match its content");
        }

        // Checked after the CRC so that a flipped version byte is reported as damage, not as a newer format.
        var version = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        if (version != FileMagic.CurrentVersion)
        {
            throw new UnsupportedStorageFormatException(path, version, FileMagic.CurrentVersion);
        }

        return file[HeaderSize..end];
    }

    /// <summary>Reads and validates the file, or returns null when it does not exist.</summary>
    public static byte[]? Read(IStorageFileSystem fs, string path, ulong magic, string what)
    {
        if (!fs.FileExists(path))
        {
            return null;
        }

        var bytes = ReadAll(fs, path);
        return Decode(path, magic, bytes, what).ToArray();
    }

    /// <summary>Replaces the file atomically (write temp, sync, rename, sync directory).</summary>
    public static void WriteAtomically(IStorageFileSystem fs, string path, ulong magic, ReadOnlySpan<byte> payload, SyncPolicy sync)
    {
        var bytes = Encode(magic, payload);
        var temp = path + ".tmp";
        using (var file = fs.OpenFile(temp, StorageFileMode.Create))
        {
            file.Write(0, bytes);
            sync.SyncFile(file);
        }

        fs.RenameFile(temp, path);
        sync.SyncDirectory(fs, Path.GetDirectoryName(path)!);
    }

    public static byte[] ReadAll(IStorageFileSystem fs, string path)
    {
        using var file = fs.OpenFile(path, StorageFileMode.OpenRead);
        var length = file.Length;
        if (length > int.MaxValue)
        {
            throw new StorageCorruptedException(path, 0, null, $"the file is {length} bytes long, too large to be a storage file");
        }

        var bytes = new byte[length];
        ReadExactly(file, 0, bytes);
        return bytes;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes or reports the file as damaged (it ended early).</summary>
    public static void ReadExactly(IStorageFile file, long offset, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = file.Read(offset + done, buffer[done..]);
            if (n <= 0)
            {
                throw new StorageCorruptedException(file.Path, offset + done, null, $"the file ended after {offset + done} bytes while {buffer.Length - done} more were expected");
            }

            done += n;
        }
    }
}
