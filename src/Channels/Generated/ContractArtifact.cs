using System.Reflection;
using System.Text.Json;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Generated;

/// <summary>
/// A compiled contract (ABI JSON and creation bytecode) as written by <c>contracts/compile.mjs</c> and embedded
/// in this assembly. The JSON files are generated; never edit them by hand.
/// </summary>
public sealed class ContractArtifact
{
    private readonly byte[] _bytecode;

    private ContractArtifact(string contractName, string abiJson, byte[] bytecode)
    {
        ContractName = contractName;
        AbiJson = abiJson;
        _bytecode = bytecode;
    }

    /// <summary>The channel contract.</summary>
    public static ContractArtifact SettlementChannels { get; } = LoadEmbedded("SettlementChannels");

    /// <summary>The 6-decimal test stablecoin (tGBP).</summary>
    public static ContractArtifact TestStablecoin { get; } = LoadEmbedded("TestStablecoin");

    /// <summary>The contract's name.</summary>
    public string ContractName { get; }

    /// <summary>The ABI as JSON.</summary>
    public string AbiJson { get; }

    /// <summary>The creation bytecode (constructor arguments are appended to it).</summary>
    public ReadOnlySpan<byte> Bytecode => _bytecode;

    /// <summary>The creation bytecode as 0x-prefixed hex (what Nethereum's deployment messages take).</summary>
    public string BytecodeHex => Hex.Encode(_bytecode);

    /// <summary>Reads an artifact file's JSON (as produced by <c>contracts/compile.mjs</c>).</summary>
    /// <exception cref="FormatException">Not an artifact.</exception>
    public static ContractArtifact FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var name = root.GetProperty("contractName").GetString() ?? throw new FormatException("contractName is null.");
            var abi = root.GetProperty("abi").GetRawText();
            var bytecode = Hex.Decode(root.GetProperty("bytecode").GetString() ?? throw new FormatException("bytecode is null."));
            return new ContractArtifact(name, abi, bytecode);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("Not a contract artifact written by contracts/compile.mjs.", ex);
        }
    }

    private static ContractArtifact LoadEmbedded(string name)
    {
        var resource = $"Settlement.Channels.Generated.{name}.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    /// <inheritdoc />
    public override string ToString() => ContractName;
}
