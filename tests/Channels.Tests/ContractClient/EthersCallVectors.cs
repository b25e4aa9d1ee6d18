using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// The vector file <c>Vectors/channel-calls-ethers.json</c> written by <c>tests/TestSupport/encode-calls-ethers.cjs</c>
/// (ethers 6.17.0): the fixed inputs, and the call data, return data, logs and revert data ethers encoded for them.
/// </summary>
internal static class EthersCallVectors
{
    private static readonly JsonElement Root = Load();

    public static Address Contract => Address.Parse(Root.GetProperty("contract").GetString()!);

    public static Address Input(string name) => Address.Parse(Inputs.GetProperty(name).GetString()!);

    public static ChannelParameters Channel(string name)
    {
        var c = Inputs.GetProperty("channels").GetProperty(name);
        return new ChannelParameters(
            Address.Parse(c.GetProperty("payer").GetString()!),
            Address.Parse(c.GetProperty("payee").GetString()!),
            Address.Parse(c.GetProperty("token").GetString()!),
            uint.Parse(c.GetProperty("challengePeriod").GetString()!, CultureInfo.InvariantCulture),
            ulong.Parse(c.GetProperty("nonce").GetString()!, CultureInfo.InvariantCulture));
    }

    public static string ChannelIdHex(string name) => Inputs.GetProperty("channelIds").GetProperty(name).GetString()!;

    public static EcdsaSignature Signature(string name)
    {
        var s = Inputs.GetProperty("signatures").GetProperty(name);
        var v = s.GetProperty("v").GetInt32();
        EcdsaSignature.TryCreate(Hex.Decode(s.GetProperty("r").GetString()!), Hex.Decode(s.GetProperty("s").GetString()!), (byte)(v - 27), out var signature)
            .ShouldBeTrue(name);
        return signature;
    }

    public static BigInteger Amount(string name) => Integer(Inputs.GetProperty("amounts").GetProperty(name));

    public static byte[] Batch => Hex.Decode(Inputs.GetProperty("batch").GetString()!);

    /// <summary>The call data and ETH value ethers gives for the call named <paramref name="name"/>.</summary>
    public static (string Function, byte[] Data, BigInteger Value) Call(string name)
    {
        foreach (var call in Root.GetProperty("calls").EnumerateArray())
        {
            if (call.GetProperty("name").GetString() == name)
            {
                return (call.GetProperty("function").GetString()!, Hex.Decode(call.GetProperty("data").GetString()!), Integer(call.GetProperty("value")));
            }
        }

        throw new ArgumentException($"No call vector named {name}.", nameof(name));
    }

    public static IEnumerable<string> CallNames => Root.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    public static JsonElement Read(string name) => Root.GetProperty("reads").GetProperty(name);

    /// <summary>A log ethers encoded, as the contract at <see cref="Contract"/> emitted it.</summary>
    public static LogEntry Log(string name, ulong blockNumber = 9, ulong logIndex = 0) => new()
    {
        Address = Contract,
        Topics = EventJson(name).GetProperty("topics").EnumerateArray().Select(t => Hex.Decode(t.GetString()!)).ToArray(),
        Data = Hex.Decode(EventJson(name).GetProperty("data").GetString()!),
        BlockNumber = blockNumber,
        BlockHash = Enumerable.Repeat((byte)blockNumber, 32).ToArray(),
        TransactionHash = Enumerable.Repeat((byte)0x77, 32).ToArray(),
        LogIndex = logIndex,
    };

    /// <summary>The same log as a node returns it in JSON (<c>eth_getLogs</c>).</summary>
    public static System.Text.Json.Nodes.JsonObject LogJson(string name, ulong blockNumber = 9, ulong logIndex = 0, bool removed = false) => new()
    {
        ["address"] = Contract.ToLowerHex(),
        ["topics"] = new System.Text.Json.Nodes.JsonArray(EventJson(name).GetProperty("topics").EnumerateArray().Select(t => (System.Text.Json.Nodes.JsonNode?)t.GetString()).ToArray()),
        ["data"] = EventJson(name).GetProperty("data").GetString(),
        ["blockNumber"] = Quantity.Format(blockNumber),
        ["blockHash"] = Hex.Encode(Enumerable.Repeat((byte)blockNumber, 32).ToArray()),
        ["transactionHash"] = Hex.Encode(Enumerable.Repeat((byte)0x77, 32).ToArray()),
        ["transactionIndex"] = "0x0",
        ["logIndex"] = Quantity.Format(logIndex),
        ["removed"] = removed,
    };

    /// <summary>Every custom error: name, arguments as ethers printed them, revert data.</summary>
    public static IEnumerable<(string Name, string[] Args, byte[] Data)> Errors =>
        Root.GetProperty("errors").EnumerateArray().Select(e => (
            e.GetProperty("name").GetString()!,
            e.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray(),
            Hex.Decode(e.GetProperty("data").GetString()!)));

    public static BigInteger Integer(JsonElement value) => BigInteger.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    private static JsonElement Inputs => Root.GetProperty("inputs");

    private static JsonElement EventJson(string name) => Root.GetProperty("events").GetProperty(name);

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "ContractClient", "Vectors", "channel-calls-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
