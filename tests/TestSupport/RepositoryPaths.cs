namespace Settlement.Testing;

/// <summary>Locates the repository checkout and its npm tooling from a running test.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the test binaries that holds Settlement.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>contracts/node_modules.</summary>
    public static string NodeModules => Path.Combine(Root, "contracts", "node_modules");

    /// <summary>The Anvil binary installed by the @foundry-rs/anvil npm package.</summary>
    public static string AnvilBinary => RequireNodeModule(Path.Combine("@foundry-rs", "anvil-linux-amd64", "bin", "anvil"));

    /// <summary>Hardhat 2's command line entry point.</summary>
    public static string HardhatCli => RequireNodeModule(Path.Combine("hardhat", "internal", "cli", "cli.js"));

    /// <summary>
    /// The full path of a file under contracts/node_modules, or an exception telling the reader how to
    /// install the npm tooling.
    /// </summary>
    public static string RequireNodeModule(string relativePath)
    {
        var path = Path.Combine(NodeModules, relativePath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"'{path}' is missing: the npm tooling in contracts/ is not installed. Run ./test.sh or source .ci/bootstrap.sh and call bootstrap_all (both run npm ci in contracts/).");
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Settlement.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Settlement.sln found above '{AppContext.BaseDirectory}'.");
    }
}
