using System.Numerics;
using System.Text.Json;

namespace Settlement.Ethereum.Rpc;

/// <summary>Strict readers for the JSON shapes nodes return; a malformed answer is a <see cref="FormatException"/>.</summary>
internal static class RpcJson
{
    public static string String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw new FormatException($"Missing string member '{name}'.");

    public static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static BigInteger Quantity(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? Rpc.Quantity.Parse(e.GetString()) : throw new FormatException($"Expected a quantity string, got {e.ValueKind}.");

    public static ulong UInt64(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? Rpc.Quantity.ParseUInt64(e.GetString()) : throw new FormatException($"Expected a quantity string, got {e.ValueKind}.");

    public static ulong UInt64(JsonElement e, string name) => Rpc.Quantity.ParseUInt64(String(e, name));

    public static ulong? OptionalUInt64(JsonElement e, string name)
    {
        var s = OptionalString(e, name);
        return s is null ? null : Rpc.Quantity.ParseUInt64(s);
    }

    public static BigInteger? OptionalQuantity(JsonElement e, string name)
    {
        var s = OptionalString(e, name);
        return s is null ? null : Rpc.Quantity.Parse(s);
    }

    public static byte[] Bytes(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && Encoding.Hex.TryDecode(e.GetString(), out var bytes)
            ? bytes
            : throw new FormatException("Expected 0x-hex data.");

    public static byte[] Bytes(JsonElement e, string name) => Encoding.Hex.Decode(String(e, name));

    public static byte[]? OptionalBytes(JsonElement e, string name)
    {
        var s = OptionalString(e, name);
        return s is null ? null : Encoding.Hex.Decode(s);
    }

    public static Addresses.Address? OptionalAddress(JsonElement e, string name)
    {
        var s = OptionalString(e, name);
        return s is null ? null : Addresses.Address.Parse(s.ToLowerInvariant());
    }

    public static Addresses.Address Address(JsonElement e, string name) =>
        Addresses.Address.Parse(String(e, name).ToLowerInvariant());

    /// <summary>The elements of a JSON array; anything else is a <see cref="FormatException"/>, not the <see cref="InvalidOperationException"/> <see cref="JsonElement.EnumerateArray"/> throws.</summary>
    public static JsonElement.ArrayEnumerator Array(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : throw new FormatException($"Expected {what} as a JSON array, got {e.ValueKind}.");

    private static JsonElement Object(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new FormatException($"Expected {what} as a JSON object, got {e.ValueKind}.");

    private static JsonElement Member(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? p : throw new FormatException($"Missing member '{name}'.");

    public static LogEntry Log(JsonElement e)
    {
        Object(e, "a log");
        var topics = new List<byte[]>();
        if (e.TryGetProperty("topics", out var t) && t.ValueKind == JsonValueKind.Array)
        {
            foreach (var topic in t.EnumerateArray())
            {
                topics.Add(Bytes(topic));
            }
        }

        return new LogEntry
        {
            Address = Address(e, "address"),
            Topics = topics,
            Data = Bytes(e, "data"),
            BlockNumber = OptionalUInt64(e, "blockNumber"),
            BlockHash = OptionalBytes(e, "blockHash"),
            TransactionHash = OptionalBytes(e, "transactionHash"),
            TransactionIndex = OptionalUInt64(e, "transactionIndex"),
            LogIndex = OptionalUInt64(e, "logIndex"),
            Removed = e.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True,
        };
    }

    public static TransactionReceipt Receipt(JsonElement e)
    {
        Object(e, "a receipt");
        var logs = new List<LogEntry>();
        if (e.TryGetProperty("logs", out var l) && l.ValueKind == JsonValueKind.Array)
        {
            foreach (var log in l.EnumerateArray())
            {
                logs.Add(Log(log));
            }
        }

        var status = OptionalUInt64(e, "status")
            ?? throw new FormatException("Receipt has no status (a pre-Byzantium receipt is not supported).");
        return new TransactionReceipt
        {
            TransactionHash = Bytes(e, "transactionHash"),
            BlockNumber = UInt64(e, "blockNumber"),
            BlockHash = Bytes(e, "blockHash"),
            TransactionIndex = OptionalUInt64(e, "transactionIndex") ?? 0,
            From = Address(e, "from"),
            To = OptionalAddress(e, "to"),
            ContractAddress = OptionalAddress(e, "contractAddress"),
            Succeeded = status == 1,
            GasUsed = UInt64(e, "gasUsed"),
            CumulativeGasUsed = OptionalUInt64(e, "cumulativeGasUsed") ?? 0,
            EffectiveGasPrice = OptionalQuantity(e, "effectiveGasPrice") ?? BigInteger.Zero,
            Type = (byte)(OptionalUInt64(e, "type") ?? 0),
            Logs = logs,
        };
    }

    public static BlockHeader Block(JsonElement e)
    {
        Object(e, "a block");
        var hashes = new List<byte[]>();
        if (e.TryGetProperty("transactions", out var txs) && txs.ValueKind == JsonValueKind.Array)
        {
            foreach (var tx in txs.EnumerateArray())
            {
                hashes.Add(tx.ValueKind == JsonValueKind.String ? Bytes(tx) : Bytes(Object(tx, "a block's transaction"), "hash"));
            }
        }

        return new BlockHeader
        {
            Number = UInt64(e, "number"),
            Hash = Bytes(e, "hash"),
            ParentHash = Bytes(e, "parentHash"),
            Timestamp = UInt64(e, "timestamp"),
            GasLimit = OptionalUInt64(e, "gasLimit") ?? 0,
            GasUsed = OptionalUInt64(e, "gasUsed") ?? 0,
            BaseFeePerGas = OptionalQuantity(e, "baseFeePerGas"),
            TransactionHashes = hashes,
        };
    }

    public static FeeHistory FeeHistory(JsonElement e)
    {
        Object(e, "a fee history");
        var baseFees = new List<BigInteger>();
        foreach (var b in Array(Member(e, "baseFeePerGas"), "baseFeePerGas"))
        {
            baseFees.Add(Quantity(b));
        }

        var ratios = new List<double>();
        if (e.TryGetProperty("gasUsedRatio", out var g) && g.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in g.EnumerateArray())
            {
                ratios.Add(r.ValueKind == JsonValueKind.Number ? r.GetDouble() : throw new FormatException($"Expected a gasUsedRatio number, got {r.ValueKind}."));
            }
        }

        var rewards = new List<IReadOnlyList<BigInteger>>();
        if (e.TryGetProperty("reward", out var rw) && rw.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in rw.EnumerateArray())
            {
                rewards.Add(Array(block, "a block's rewards").Select(Quantity).ToArray());
            }
        }

        return new FeeHistory
        {
            OldestBlock = UInt64(e, "oldestBlock"),
            BaseFeePerGas = baseFees,
            GasUsedRatio = ratios,
            Reward = rewards,
        };
    }
}
