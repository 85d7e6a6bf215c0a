using HsmRaft.Storage;

namespace HsmRaft.Testing;

/// <summary>The kinds of call a <see cref="SimulatedFileSystem"/> sees.</summary>
public enum SimulatedOperationKind
{
    Open,
    Create,
    Read,
    Write,
    SetLength,
    Sync,
    Delete,
    Rename,
    SyncDirectory,
    List,
    Lock,
}

/// <summary>One call on a <see cref="SimulatedFileSystem"/>, as passed to <see cref="SimulatedFileSystem.FaultInjector"/>.</summary>
/// <param name="Kind">What the call does.</param>
/// <param name="Path">The file or directory.</param>
/// <param name="Sequence">How many mutating calls came before this one (see <see cref="SimulatedFileSystem.MutationCount"/>).</param>
public readonly record struct SimulatedOperation(SimulatedOperationKind Kind, string Path, long Sequence)
{
    /// <summary>True for calls that change the disk: create, write, set-length, sync, delete, rename, directory sync.</summary>
    public bool IsMutation => Kind is SimulatedOperationKind.Create or SimulatedOperationKind.Write or SimulatedOperationKind.SetLength
        or SimulatedOperationKind.Sync or SimulatedOperationKind.Delete or SimulatedOperationKind.Rename or SimulatedOperationKind.SyncDirectory;
}

/// <summary>What survives a simulated power loss (<see cref="SimulatedFileSystem.Crash"/>).</summary>
public enum CrashMode
{
    /// <summary>Every unsynced write, truncation, creation, rename and deletion is lost.</summary>
    DropUnsynced,

    /// <summary>Unsynced writes and truncations persist in order up to a random point, cut at a sector boundary
    /// (a torn final write); unsynced directory changes are lost.</summary>
    TornPrefix,

    /// <summary>Each unsynced sector and truncation persists or not at random, independently (the disk reorders writes);
    /// a file's size may persist while its data does not (it then reads as zeros). Unsynced directory changes are lost.</summary>
    ScrambleSectors,
}

/// <summary>Thrown by every call once a simulated crash point was reached (<see cref="SimulatedFileSystem.CrashAtMutation"/>),
/// until <see cref="SimulatedFileSystem.Crash"/> restarts the disk.</summary>
public sealed class SimulatedCrashException() : IOException("The simulated machine lost power (crash point reached).");
