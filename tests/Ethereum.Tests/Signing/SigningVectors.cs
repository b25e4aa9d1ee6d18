using System.Text.Json;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Signing;

/// <summary>Reads Vectors/signing.json (made by ethers.js, see generate-signing.mjs).</summary>
internal static class SigningVectors
{
    private static readonly Lazy<(string Source, IReadOnlyList<SigningCase> Cases)> Loaded = new(Load);

    public static string Source => Loaded.Value.Source;

    public static IReadOnlyList<SigningCase> Cases => Loaded.Value.Cases;

    private static (string, IReadOnlyList<SigningCase>) Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "signing.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new SigningCase(
            Hex.Decode(c.GetProperty("privateKey").GetString()!),
            Hex.Decode(c.GetProperty("hash").GetString()!),
            Hex.Decode(c.GetProperty("r").GetString()!),
            Hex.Decode(c.GetProperty("s").GetString()!),
            c.GetProperty("v").GetByte(),
            c.GetProperty("address").GetString()!,
            Hex.Decode(c.GetProperty("publicKey").GetString()!))).ToList();
        return (root.GetProperty("source").GetString()!, cases);
    }
}

internal sealed record SigningCase(byte[] PrivateKey, byte[] Hash, byte[] R, byte[] S, byte V, string Address, byte[] PublicKey);
