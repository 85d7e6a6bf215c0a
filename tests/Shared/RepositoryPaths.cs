namespace HsmRaft.TestSupport;

/// <summary>
/// Finds files of the repository from a test. Test assemblies run from <c>bin/</c> inside the
/// checkout, so the root is the nearest directory above the output that holds <c>HsmRaft.sln</c>.
/// (<c>[CallerFilePath]</c> cannot be used: CI builds map source paths to <c>/_/</c>.)
/// </summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HsmRaft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (HsmRaft.sln) above " + AppContext.BaseDirectory);
    }
}
