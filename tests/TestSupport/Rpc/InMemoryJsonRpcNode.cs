using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;

namespace Settlement.Testing.Rpc;

/// <summary>
/// The common core of the unit tests' chain nodes in memory, over <see cref="JsonRpcHandler"/>: a head block with
/// block tags, and logs that <c>eth_getLogs</c> filters by block range, address and topics as a node does.
/// <c>eth_chainId</c>, <c>eth_blockNumber</c>, <c>eth_getBlockByNumber</c> and <c>eth_getLogs</c> are answered here; a
/// derived node answers the rest in <see cref="Respond"/> and calls the base for these. A test scripts a node through
/// <see cref="JsonRpcHandler.FailNext"/>, <see cref="JsonRpcHandler.OnRequest"/>, <see cref="Head"/> and
/// <see cref="AddLog"/>. Linked as source into the unit test projects that have such a node.
/// </summary>
public abstract class InMemoryJsonRpcNode : JsonRpcHandler
{
    private readonly ulong _chainId;
    private readonly List<LogEntry> _logs = [];

    /// <summary>A node of chain <paramref name="chainId"/>.</summary>
    protected InMemoryJsonRpcNode(ulong chainId) => _chainId = chainId;

    /// <summary>The newest block (<c>eth_blockNumber</c>, the tag <c>latest</c>).</summary>
    public ulong Head { get; set; }

    /// <summary>Adds a log that <c>eth_getLogs</c> returns from now on.</summary>
    public void AddLog(LogEntry log)
    {
        lock (Gate)
        {
            _logs.Add(log);
        }
    }

    /// <summary>A 32-byte ABI word of an address.</summary>
    public static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];

    /// <summary>A 32-byte ABI word of an unsigned integer.</summary>
    public static byte[] Word(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - bytes.Length], .. bytes];
    }

    /// <summary>A JSON-RPC quantity (0x hex, no leading zeros).</summary>
    protected static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A log as a node writes it.</summary>
    protected static JsonObject LogJson(LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return new JsonObject
        {
            ["address"] = log.Address.ToLowerHex(),
            ["topics"] = new JsonArray([.. log.Topics.Select(t => (JsonNode)Hex.Encode(t))]),
            ["data"] = Hex.Encode(log.Data),
            ["blockNumber"] = Quantity(log.BlockNumber ?? 0),
            ["blockHash"] = Hex.Encode(log.BlockHash ?? []),
            ["transactionHash"] = Hex.Encode(log.TransactionHash ?? []),
            ["transactionIndex"] = Quantity(log.TransactionIndex ?? 0),
            ["logIndex"] = Quantity(log.LogIndex ?? 0),
            ["removed"] = log.Removed,
        };
    }

    /// <summary>The block number a tag (<c>latest</c>, <c>earliest</c>, …) or a quantity names.</summary>
    protected ulong NumberOf(string tag) => tag switch
    {
        "latest" or "pending" or "safe" or "finalized" => Head,
        "earliest" => 0,
        _ => Convert.ToUInt64(tag[2..], 16),
    };

    /// <summary>Block <paramref name="number"/> (at most <see cref="Head"/>) as <c>eth_getBlockByNumber</c> answers it, or null.</summary>
    protected abstract JsonObject? Block(ulong number);

    /// <summary>
    /// Answers one request (called under <see cref="JsonRpcHandler.Gate"/>). The base answers <c>eth_chainId</c>,
    /// <c>eth_blockNumber</c>, <c>eth_getBlockByNumber</c> and <c>eth_getLogs</c> and refuses any other method.
    /// </summary>
    protected override JsonObject Respond(string method, JsonArray parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return method switch
        {
            "eth_chainId" => Result(Quantity(_chainId)),
            "eth_blockNumber" => Result(Quantity(Head)),
            "eth_getBlockByNumber" => Result(NumberOf(parameters[0]!.GetValue<string>()) is var n && n <= Head ? Block(n) : null),
            "eth_getLogs" => Result(Logs(parameters[0]!.AsObject())),
            _ => throw new InvalidOperationException($"{GetType().Name} does not answer {method}."),
        };
    }

    private JsonArray Logs(JsonObject filter)
    {
        var from = NumberOf(filter["fromBlock"]?.GetValue<string>() ?? "latest");
        var to = NumberOf(filter["toBlock"]?.GetValue<string>() ?? "latest");
        var addresses = filter["address"] switch
        {
            null => null,
            JsonArray list => list.Select(a => a!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase),
            var one => new HashSet<string>([one.GetValue<string>()], StringComparer.OrdinalIgnoreCase),
        };
        var topics = filter["topics"]?.AsArray() ?? [];
        return new JsonArray([.. _logs
            .Where(l => l.BlockNumber >= from && l.BlockNumber <= to && (addresses is null || addresses.Contains(l.Address.ToLowerHex())) && Matches(l, topics))
            .Select(l => (JsonNode)LogJson(l))]);
    }

    private static bool Matches(LogEntry log, JsonArray topics)
    {
        for (var i = 0; i < topics.Count; i++)
        {
            if (topics[i] is null)
            {
                continue;
            }

            var alternatives = topics[i] is JsonArray list ? list.Select(t => t!.GetValue<string>()) : [topics[i]!.GetValue<string>()];
            if (i >= log.Topics.Count || !alternatives.Contains(Hex.Encode(log.Topics[i]), StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
