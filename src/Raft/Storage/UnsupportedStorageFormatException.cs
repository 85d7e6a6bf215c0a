namespace HsmRaft.Storage;

/// <summary>A storage file was written in a format version this build cannot read (usually by a newer HsmRaft).</summary>
public sealed class UnsupportedStorageFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedStorageFormatException(string path, uint foundVersion, uint supportedVersion)
        : base(
            $"The Raft storage file '{path}' has format version {foundVersion}, but this build of HsmRaft reads only version " +
            $"{supportedVersion}{(foundVersion > supportedVersion ? " and older" : "")}. Run a HsmRaft version that supports format " +
            $"{foundVersion}, or wipe this node's data directory so it catches up from the leader; see docs/storage.md#recovery.")
    {
        Path = path;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The version found in the file.</summary>
    public uint FoundVersion { get; }

    /// <summary>The newest version this build reads.</summary>
    public uint SupportedVersion { get; }
}
