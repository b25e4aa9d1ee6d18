using System.Diagnostics;
using System.Text.Json;

namespace Settlement.Testing;

/// <summary>
/// Decodes raw event logs with ethers.js (tests/TestSupport/decode-logs-ethers.cjs), an implementation independent of
/// our decoders, so a test can compare what our code read from a log with what ethers reads from the same bytes.
/// </summary>
public static class EthersLogDecoder
{
    /// <summary>The channel contract's compiled artifact (its ABI), relative to the repository root.</summary>
    public const string SettlementChannelsArtifact = "src/Channels/Generated/SettlementChannels.json";

    /// <summary>The test stablecoin's compiled artifact (ERC-20 <c>Transfer</c>, <c>Approval</c>).</summary>
    public const string TestStablecoinArtifact = "src/Channels/Generated/TestStablecoin.json";

    /// <summary>
    /// Decodes <paramref name="rawLogs"/> (logs exactly as the node returned them in JSON) with the ABIs of
    /// <paramref name="artifacts"/>; one entry per log, null for a log none of the ABIs knows.
    /// </summary>
    public static async Task<IReadOnlyList<EthersLog?>> DecodeAsync(IReadOnlyList<JsonElement> rawLogs, params string[] artifacts)
    {
        ArgumentNullException.ThrowIfNull(rawLogs);
        RepositoryPaths.RequireNodeModule(Path.Combine("ethers", "package.json"));
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "TestSupport", "decode-logs-ethers.cjs"));
        foreach (var artifact in artifacts)
        {
            info.ArgumentList.Add(artifact);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(rawLogs)).ConfigureAwait(false);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"decode-logs-ethers.cjs failed (exit {process.ExitCode}):\n{await stderr.ConfigureAwait(false)}");
            }

            using var doc = JsonDocument.Parse(await stdout.ConfigureAwait(false));
            return doc.RootElement.EnumerateArray().Select(Read).ToArray();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static EthersLog? Read(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        IReadOnlyList<IReadOnlyDictionary<string, string>>? items = e.TryGetProperty("items", out var i)
            ? i.EnumerateArray().Select(Fields).ToArray()
            : null;
        return new EthersLog(e.GetProperty("name").GetString()!, e.GetProperty("signature").GetString()!, Fields(e.GetProperty("args")), items);
    }

    private static Dictionary<string, string> Fields(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
}
