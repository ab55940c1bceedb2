namespace Echain.Tests.FunctionsHost;

/// <summary>The repository checkout the tests run from (the package script, host.json, the docs).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Echain.sln")) && File.Exists(Path.Combine(dir.FullName, "scripts", "publish-functions.sh")))
                return dir.FullName;
        throw new InvalidOperationException("Echain.sln not found above " + AppContext.BaseDirectory);
    }
}
