namespace OrleansChat.Tests.Unit;

/// <summary>The repository the tests run from: the folder above the test binaries that holds OrleansChat.sln.</summary>
internal static class RepositoryRoot
{
    public static readonly string Path = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "OrleansChat.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansChat.sln above {AppContext.BaseDirectory}");
    }
}
