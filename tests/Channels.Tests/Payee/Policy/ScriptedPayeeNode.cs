using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Rpc;

namespace Settlement.Channels.Tests.Payee.Policy;

/// <summary>
/// A chain node and the payee's transactor in memory, scripted per transaction: each sent transaction takes the next
/// answer of its function (mined with logs and gas, reverted with a contract error, or a node fault). A revert comes
/// back as a status-0 receipt, so <see cref="ChannelContract"/> replays it as <c>eth_call</c> and reads the custom
/// error from the node's answer, as it does against a real node; a fault is the node refusing the transaction
/// (<c>-32000</c>, no revert).
/// </summary>
internal sealed class ScriptedPayeeNode : JsonRpcHandler, IContractTransactor
{
    public const ulong ChainId = 31337;
    public static readonly Address ContractAddress = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    private readonly Dictionary<string, Queue<Answer>> _script = new(StringComparer.Ordinal);
    private JsonObject? _pendingError;
    private byte _nextHash;

    public ScriptedPayeeNode(Address sender)
    {
        Sender = sender;
        Rpc = new EthereumRpcClient(new HttpClient(this, disposeHandler: false), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:9/"), ChainId = ChainId });
        Contract = new ChannelContract(Rpc, ContractAddress);
    }

    public Address Sender { get; }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    /// <summary>Every transaction sent: function name and call data, in order.</summary>
    public List<(string Function, byte[] Data)> Sent { get; } = [];

    /// <summary>Runs when a transaction is sent, before it is answered.</summary>
    public Action<string>? OnSend { get; set; }

    /// <summary>The next <paramref name="function"/> transaction is mined with <paramref name="logs"/>, using <paramref name="gas"/>.</summary>
    public ScriptedPayeeNode Mine(string function, ulong gas, params LogEntry[] logs) => Add(function, new Answer(gas, logs, null, null));

    /// <summary>The next <paramref name="function"/> transaction reverts with the contract's custom error <paramref name="error"/>.</summary>
    public ScriptedPayeeNode Revert(string function, string error) => Add(function, new Answer(0, [], error, null));

    /// <summary>The node refuses the next <paramref name="function"/> transaction with <paramref name="message"/> (not a revert).</summary>
    public ScriptedPayeeNode Fault(string function, string message) => Add(function, new Answer(0, [], null, message));

    public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var bytes = data.ToArray();
        var function = NameOf(bytes);
        Sent.Add((function, bytes));
        OnSend?.Invoke(function);
        if (!_script.TryGetValue(function, out var answers) || answers.Count == 0)
        {
            throw new InvalidOperationException($"no scripted answer for {function}");
        }

        var answer = answers.Dequeue();
        if (answer.Fault is { } fault)
        {
            _pendingError = Error(-32000, fault);
            _ = await Rpc.GetBlockNumberAsync(cancellationToken);
        }

        _nextHash++;
        if (answer.Error is { } error)
        {
            var selector = ChannelContract.Errors.Single(e => e.Name == error).Sha3Signature;
            _pendingError = Error(3, "execution reverted", "0x" + selector);
        }

        return new TransactionReceipt
        {
            TransactionHash = Enumerable.Repeat(_nextHash, 32).ToArray(),
            BlockNumber = 7,
            BlockHash = new byte[32],
            From = Sender,
            To = to,
            Succeeded = answer.Error is null,
            GasUsed = answer.Gas,
            Logs = answer.Logs,
        };
    }

    /// <summary>Every JSON-RPC request gets the pending error (a fault or a revert's replay), else "unexpected call".</summary>
    protected override JsonObject Respond(string method, JsonArray parameters)
    {
        var error = _pendingError ?? Error(-32601, "unexpected call");
        _pendingError = null;
        return error;
    }

    private ScriptedPayeeNode Add(string function, Answer answer)
    {
        if (!_script.TryGetValue(function, out var answers))
        {
            answers = new Queue<Answer>();
            _script[function] = answers;
        }

        answers.Enqueue(answer);
        return this;
    }

    private static string NameOf(byte[] data)
    {
        var selector = Convert.ToHexStringLower(data.AsSpan(0, 4));
        return selector == Selector<RedeemFunction>() ? "redeem"
            : selector == Selector<RedeemBatchFunction>() ? "redeemBatch"
            : selector == Selector<StartCloseFunction>() ? "startClose"
            : selector == Selector<StartCloseWithVoucherFunction>() ? "startCloseWithVoucher"
            : selector == Selector<SettleFunction>() ? "settle"
            : selector;
    }

    private static string Selector<TFunction>()
        where TFunction : FunctionMessage =>
        ABITypedRegistry.GetFunctionABI<TFunction>().Sha3Signature.ToLowerInvariant();

    private sealed record Answer(ulong Gas, IReadOnlyList<LogEntry> Logs, string? Error, string? Fault);
}
