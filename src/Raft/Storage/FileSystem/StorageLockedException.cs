namespace HsmRaft.Storage;

/// <summary>Another process (or another store in this process) already holds the data directory's lock.</summary>
public sealed class StorageLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StorageLockedException(string lockFilePath, string? holder, Exception? inner = null)
        : base(
            $"The Raft data directory '{System.IO.Path.GetDirectoryName(lockFilePath)}' is locked by another process" +
            (string.IsNullOrWhiteSpace(holder) ? "" : $" ({holder.Trim()})") +
            $" (lock file '{lockFilePath}'). Two processes must never open the same node's files: stop the other process, " +
            "or give this node its own FileStorageOptions.Directory.",
            inner)
    {
        LockFilePath = lockFilePath;
    }

    /// <summary>The lock file that could not be locked.</summary>
    public string LockFilePath { get; }
}
