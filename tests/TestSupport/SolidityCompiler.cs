using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Settlement.Ethereum.Encoding;

namespace Settlement.Testing;

/// <summary>
/// Compiles test-only Solidity files with solcjs (tests/TestSupport/compile-solidity.cjs, offline)
/// once per test run.
/// </summary>
public static class SolidityCompiler
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, CompiledContract>>>> Cache = new();

    /// <summary>Compiles <paramref name="relativePath"/> (relative to the repository root) and returns <paramref name="contractName"/>.</summary>
    public static async Task<CompiledContract> CompileAsync(string relativePath, string contractName)
    {
        var contracts = await Cache.GetOrAdd(relativePath, p => new Lazy<Task<IReadOnlyDictionary<string, CompiledContract>>>(() => RunAsync(p))).Value.ConfigureAwait(false);
        return contracts.TryGetValue(contractName, out var contract)
            ? contract
            : throw new InvalidOperationException($"{relativePath} has no contract '{contractName}'.");
    }

    private static async Task<IReadOnlyDictionary<string, CompiledContract>> RunAsync(string relativePath)
    {
        RepositoryPaths.RequireNodeModule(Path.Combine("solc", "soljson.js"));
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "TestSupport", "compile-solidity.cjs"));
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, relativePath));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"solcjs failed on {relativePath} (exit {process.ExitCode}):\n{await stderr.ConfigureAwait(false)}");
        }

        using var doc = JsonDocument.Parse(await stdout.ConfigureAwait(false));
        var result = new Dictionary<string, CompiledContract>(StringComparer.Ordinal);
        foreach (var contract in doc.RootElement.GetProperty("contracts").EnumerateObject())
        {
            var abiJson = contract.Value.GetProperty("abi").GetRawText();
            result[contract.Name] = new CompiledContract(
                contract.Name,
                abiJson,
                Abi.TestAbi.FromJson(abiJson),
                Hex.Decode(contract.Value.GetProperty("bytecode").GetString()!));
        }

        return result;
    }
}
