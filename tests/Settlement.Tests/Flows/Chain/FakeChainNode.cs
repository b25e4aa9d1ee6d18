using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Transactions;
using Settlement.Testing.Rpc;

namespace Settlement.Service.Tests.Flows.Chain;

/// <summary>
/// A JSON-RPC node in memory for the platform's chain steps (chain 31337, automine): it checks and holds each raw
/// transaction it is sent (its chain id and the sender's next nonce, "already known" for a held one), mines it at once
/// in a block of its own, answers receipts and <c>eth_getTransactionByHash</c> for held transactions, and emits a
/// <c>ChannelOpened</c> log for an <c>open</c> call (nonce = its block). A function can be made to revert at gas
/// estimation or when mined (then <c>eth_call</c> replays the revert). Records every method asked and every raw
/// transaction received, decoded, in order. The JSON-RPC core, blocks by tag and the <c>eth_getLogs</c> filter are the
/// shared <see cref="InMemoryJsonRpcNode"/>'s.
/// </summary>
internal sealed class FakeChainNode : InMemoryJsonRpcNode
{
    public const ulong ChainId = 31337;
    public const ulong FirstBlock = 100;
    public static readonly Address Token = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    public static readonly Address Channels = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    /// <summary>The functions the node tells apart, by their 4-byte selector.</summary>
    private static readonly Dictionary<string, string> Functions = new[]
    {
        "mint(address,uint256)", "approve(address,uint256)", "burn(uint256)", "burnFrom(address,uint256)",
        "open(address,address,address,uint32,uint256)", "topUp((address,address,address,uint32,uint64),uint256)",
    }.ToDictionary(s => Hex.Encode(Selector(s)), s => s[..s.IndexOf('(', StringComparison.Ordinal)], StringComparer.Ordinal);

    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[]? Data, string Message, bool WhenMined)> _reverts = new(StringComparer.Ordinal);
    private readonly List<SignedTransaction> _broadcasts = [];

    public FakeChainNode()
        : base(ChainId) => Head = FirstBlock;

    /// <summary>The node refuses these raw transactions ("nonce too low") and does not hold them.</summary>
    public Func<SignedTransaction, bool>? Refuse { get; set; }

    /// <summary>Every method asked, in order.</summary>
    public IReadOnlyList<string> Methods => [.. Requests.Select(r => r.Method)];

    /// <summary>Every raw transaction received by <c>eth_sendRawTransaction</c> (held or refused), decoded, in order.</summary>
    public IReadOnlyList<SignedTransaction> Broadcasts
    {
        get
        {
            lock (Gate)
            {
                return [.. _broadcasts];
            }
        }
    }

    /// <summary>A client of this node (no retries).</summary>
    public EthereumRpcClient Client() =>
        new(new HttpClient(this, disposeHandler: false), new EthereumRpcOptions { Url = new Uri("http://node.test"), ChainId = ChainId, MaxRetries = 0 });

    /// <summary>A sender over a new client and nonce manager (a new process), polling receipts every millisecond.</summary>
    public TransactionSender Sender()
    {
        var rpc = Client();
        return new TransactionSender(
            rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(1), ReceiptTimeout = TimeSpan.FromSeconds(2) });
    }

    /// <summary>The block <paramref name="hash"/> (0x hex) was mined in, or null when the node does not hold it.</summary>
    public ulong? BlockOf(string hash)
    {
        lock (Gate)
        {
            return _held.TryGetValue(hash, out var held) ? held.Block : null;
        }
    }

    /// <summary>Calls of <paramref name="function"/> (e.g. <c>open</c>) revert at gas estimation with <paramref name="data"/>.</summary>
    public void RevertAtEstimate(string function, byte[]? data, string message = "execution reverted")
    {
        lock (Gate)
        {
            _reverts[function] = (data, message, false);
        }
    }

    /// <summary>Calls of <paramref name="function"/> are mined with status 0; <c>eth_call</c> replays them as a revert with <paramref name="data"/>.</summary>
    public void RevertWhenMined(string function, byte[]? data, string message = "execution reverted")
    {
        lock (Gate)
        {
            _reverts[function] = (data, message, true);
        }
    }

    /// <summary>A channel opened by someone else, in a new block.</summary>
    public void Opened(ChannelParameters channel, Address funder, BigInteger deposit)
    {
        lock (Gate)
        {
            Head++;
            AddLog(OpenedLog(Channels, channel, funder, deposit, Head, new byte[32]));
        }
    }

    /// <summary>The 4-byte selector of a function or error signature.</summary>
    public static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];

    /// <summary>Call data: the selector of <paramref name="signature"/> and the words.</summary>
    public static byte[] Call(string signature, params byte[][] words) => [.. Selector(signature), .. words.SelectMany(w => w)];

    /// <summary>The revert data of <c>Error(string)</c> with <paramref name="reason"/> (shorter than 32 bytes).</summary>
    public static byte[] ErrorString(string reason)
    {
        var text = Encoding.UTF8.GetBytes(reason);
        return [.. Selector("Error(string)"), .. Word(32), .. Word(text.Length), .. text, .. new byte[32 - text.Length]];
    }

    protected override JsonObject? Block(ulong number) => new()
    {
        ["number"] = Quantity(number), ["hash"] = BlockHash(number), ["parentHash"] = BlockHash(number - 1), ["timestamp"] = "0x1", ["baseFeePerGas"] = "0x7",
    };

    protected override JsonObject Respond(string method, JsonArray parameters)
    {
        switch (method)
        {
            case "eth_maxPriorityFeePerGas":
                return Result("0x3");
            case "eth_getTransactionCount":
                var account = Address.Parse(parameters[0]!.GetValue<string>());
                return Result(Quantity((ulong)_held.Values.Count(h => h.Tx.Sender == account)));
            case "eth_estimateGas":
                return _reverts.TryGetValue(FunctionOf(parameters[0]!["data"]!.GetValue<string>()), out var atEstimate) && !atEstimate.WhenMined
                    ? RevertError(atEstimate.Data, atEstimate.Message)
                    : Result("0x30000");
            case "eth_call":
                return _reverts.TryGetValue(FunctionOf(parameters[0]!["data"]!.GetValue<string>()), out var replayed) && replayed.WhenMined
                    ? RevertError(replayed.Data, replayed.Message)
                    : Result("0x");
            case "eth_sendRawTransaction":
                return SendRaw(Hex.Decode(parameters[0]!.GetValue<string>()));
            case "eth_getTransactionReceipt":
                return Result(_held.TryGetValue(parameters[0]!.GetValue<string>(), out var mined) ? Receipt(mined) : null);
            case "eth_getTransactionByHash":
                return Result(_held.TryGetValue(parameters[0]!.GetValue<string>(), out var known) ? new JsonObject { ["hash"] = known.Tx.HashHex } : null);
            default:
                return base.Respond(method, parameters);
        }
    }

    private JsonObject SendRaw(byte[] raw)
    {
        if (!SignedTransaction.TryDecode(raw, ChainId, out var tx, out var error))
        {
            return Error(-32000, "invalid transaction: " + error);
        }

        _broadcasts.Add(tx);
        if (_held.ContainsKey(tx.HashHex))
        {
            return Error(-32000, "already known");
        }

        var next = (ulong)_held.Values.Count(h => h.Tx.Sender == tx.Sender);
        if (Refuse?.Invoke(tx) == true || tx.Transaction.Nonce < next)
        {
            return Error(-32000, "nonce too low");
        }

        if (tx.Transaction.Nonce > next)
        {
            return Error(-32000, "nonce too high");
        }

        Head++;
        var function = FunctionOf(Hex.Encode(tx.Transaction.Data));
        var succeeded = !(_reverts.TryGetValue(function, out var revert) && revert.WhenMined);
        var logs = new List<LogEntry>();
        if (succeeded && function == "open")
        {
            var data = tx.Transaction.Data;
            var channel = new ChannelParameters(
                AddressAt(data, 0), AddressAt(data, 1), AddressAt(data, 2), (uint)IntegerAt(data, 3), Head);
            var log = OpenedLog(tx.Transaction.To!.Value, channel, tx.Sender, IntegerAt(data, 4), Head, tx.Hash.ToArray());
            logs.Add(log);
            AddLog(log);
        }

        _held[tx.HashHex] = new Held(tx, Head, succeeded, logs);
        return Result(tx.HashHex);
    }

    private static JsonObject Receipt(Held held) => new()
    {
        ["transactionHash"] = held.Tx.HashHex,
        ["blockNumber"] = Quantity(held.Block),
        ["blockHash"] = BlockHash(held.Block),
        ["transactionIndex"] = "0x0",
        ["from"] = held.Tx.Sender.ToLowerHex(),
        ["to"] = held.Tx.Transaction.To?.ToLowerHex(),
        ["contractAddress"] = null,
        ["status"] = held.Succeeded ? "0x1" : "0x0",
        ["gasUsed"] = "0x5208",
        ["cumulativeGasUsed"] = "0x5208",
        ["effectiveGasPrice"] = "0xa",
        ["type"] = "0x2",
        ["logs"] = new JsonArray([.. held.Logs.Select(l => (JsonNode)LogJson(l))]),
    };

    private static LogEntry OpenedLog(Address contract, ChannelParameters channel, Address funder, BigInteger deposit, ulong block, byte[] txHash) => new()
    {
        Address = contract,
        Topics =
        [
            Keccak256.Hash(Encoding.ASCII.GetBytes("ChannelOpened(bytes32,address,address,address,address,uint32,uint64,uint256)")),
            channel.Id.Bytes.ToArray(), Word(channel.Payer), Word(channel.Payee),
        ],
        Data = [.. Word(channel.Token), .. Word(funder), .. Word(channel.ChallengePeriodSeconds), .. Word(channel.Nonce), .. Word(deposit)],
        BlockNumber = block,
        BlockHash = Hex.Decode(BlockHash(block)),
        TransactionHash = txHash,
        TransactionIndex = 0,
        LogIndex = 0,
    };

    private static string FunctionOf(string dataHex) =>
        dataHex.Length >= 10 && Functions.TryGetValue(dataHex[..10], out var name) ? name : "?";

    private static Address AddressAt(byte[] data, int word) => Address.FromBytes(data.AsSpan(4 + (32 * word) + 12, 20));

    private static BigInteger IntegerAt(byte[] data, int word) => new(data.AsSpan(4 + (32 * word), 32), isUnsigned: true, isBigEndian: true);

    private static string BlockHash(ulong number) => Hex.Encode(Keccak256.Hash(Encoding.ASCII.GetBytes("block " + number.ToString(CultureInfo.InvariantCulture))));

    private static JsonObject RevertError(byte[]? data, string message) => Error(3, message, data is null ? null : Hex.Encode(data));

    private sealed record Held(SignedTransaction Tx, ulong Block, bool Succeeded, List<LogEntry> Logs);
}
