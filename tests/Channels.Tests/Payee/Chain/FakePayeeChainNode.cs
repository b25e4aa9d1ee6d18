using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tests.Payee.Chain;

/// <summary>
/// A chain node in memory for the payee's chain reads: blocks 12 s apart, the contract's logs per block
/// (<c>eth_getLogs</c> filtered by range, address and topics as a node does) and each channel's state from a block on
/// (<c>eth_call</c> of <c>channelState</c> at the asked block). Records every request.
/// </summary>
internal sealed class FakePayeeChainNode : HttpMessageHandler
{
    public const ulong ChainId = 31337;
    public const ulong GenesisTimestamp = 1_800_000_000;
    public static readonly Address ContractAddress = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly string ChannelStateSelector = ABITypedRegistry.GetFunctionABI<ChannelStateFunction>().Sha3Signature.ToLowerInvariant();

    private readonly object _gate = new();
    private readonly List<LogEntry> _logs = [];
    private readonly Dictionary<ChannelId, List<(ulong From, ChannelState State)>> _states = [];
    private readonly List<(string Method, string Params)> _requests = [];

    public FakePayeeChainNode()
    {
        Rpc = new EthereumRpcClient(new HttpClient(this, disposeHandler: false), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:9/"), ChainId = ChainId });
        Contract = new ChannelContract(Rpc, ContractAddress);
    }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    /// <summary>The newest block (<c>eth_blockNumber</c>).</summary>
    public ulong Head { get; set; }

    /// <summary>When true, <c>eth_getBlockByNumber</c> answers null.</summary>
    public bool NoBlocks { get; set; }

    /// <summary>The next request of this method fails with a node error (-32000).</summary>
    public string? FailNext { get; set; }

    /// <summary>Runs after each request was recorded, with its method (outside the node's lock).</summary>
    public Action<string>? OnRequest { get; set; }

    /// <summary>Requests received: method and raw params.</summary>
    public IReadOnlyList<(string Method, string Params)> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public int Count(string method) => Requests.Count(r => r.Method == method);

    public static ulong TimestampOf(ulong block) => GenesisTimestamp + (block * 12);

    /// <summary>Opens <paramref name="channel"/> in <paramref name="block"/> with <paramref name="deposit"/> (its log and its state from then on).</summary>
    public void Open(ChannelParameters channel, ulong block, BigInteger deposit)
    {
        ArgumentNullException.ThrowIfNull(channel);
        AddLog(Log<ChannelOpenedEventDto>(
            block,
            [channel.Id.Bytes.ToArray(), Word(channel.Payer), Word(channel.Payee)],
            channel.Token.ToString(),
            channel.Payer.ToString(),
            channel.ChallengePeriodSeconds,
            channel.Nonce,
            deposit));
        SetState(channel.Id, block, new ChannelState(true, deposit, 0, 0, 0, 0));
    }

    /// <summary>A top-up log of <paramref name="channel"/> in <paramref name="block"/> and the state from then on.</summary>
    public void TopUp(ChannelParameters channel, ulong block, BigInteger amount, ChannelState after)
    {
        ArgumentNullException.ThrowIfNull(channel);
        AddLog(Log<ChannelToppedUpEventDto>(
            block,
            [channel.Id.Bytes.ToArray(), Word(channel.Payer), Word(channel.Payee)],
            channel.Token.ToString(),
            channel.Payer.ToString(),
            false,
            amount,
            after.PayerDeposit));
        SetState(channel.Id, block, after);
    }

    public void SetState(ChannelId channel, ulong fromBlock, ChannelState state)
    {
        lock (_gate)
        {
            if (!_states.TryGetValue(channel, out var list))
            {
                list = [];
                _states[channel] = list;
            }

            list.Add((fromBlock, state));
            list.Sort((a, b) => a.From.CompareTo(b.From));
        }
    }

    public void AddLog(LogEntry log)
    {
        lock (_gate)
        {
            _logs.Add(log);
        }
    }

    public static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];

    public static LogEntry Log<TEvent>(ulong block, byte[][] indexed, params object[] data)
        where TEvent : class, new()
    {
        var abi = ABITypedRegistry.GetEvent<TEvent>();
        return new LogEntry
        {
            Address = ContractAddress,
            Topics = [abi.Sha3Signature.HexToByteArray(), .. indexed],
            Data = new ParametersEncoder().EncodeParameters(abi.InputParameters.Where(p => !p.Indexed).ToArray(), data),
            BlockNumber = block,
            BlockHash = Enumerable.Repeat((byte)block, 32).ToArray(),
            TransactionHash = Enumerable.Repeat((byte)(block + 1), 32).ToArray(),
            LogIndex = 0,
        };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var root = doc.RootElement;
        var id = root.GetProperty("id").GetRawText();
        var method = root.GetProperty("method").GetString()!;
        var parameters = root.TryGetProperty("params", out var p) ? p : default;
        string body;
        lock (_gate)
        {
            _requests.Add((method, parameters.ValueKind == JsonValueKind.Undefined ? string.Empty : parameters.GetRawText()));
            if (FailNext == method)
            {
                FailNext = null;
                body = "\"error\":{\"code\":-32000,\"message\":\"node unavailable\"}";
            }
            else
            {
                body = "\"result\":" + method switch
                {
                    "eth_blockNumber" => $"\"0x{Head:x}\"",
                    "eth_getBlockByNumber" => BlockJson(parameters[0].GetString()!),
                    "eth_call" => CallJson(parameters),
                    "eth_getLogs" => LogsJson(parameters[0]),
                    var other => throw new InvalidOperationException($"unexpected RPC method {other}"),
                };
            }
        }

        OnRequest?.Invoke(method);
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($"{{\"jsonrpc\":\"2.0\",\"id\":{id},{body}}}", Encoding.UTF8, "application/json"),
        };
    }

    private ulong Number(string tag) => tag switch
    {
        "latest" or "pending" or "safe" or "finalized" => Head,
        "earliest" => 0,
        _ => Convert.ToUInt64(tag[2..], 16),
    };

    private string BlockJson(string tag)
    {
        var n = Number(tag);
        return NoBlocks || n > Head
            ? "null"
            : $"{{\"number\":\"0x{n:x}\",\"hash\":\"0x{Convert.ToHexStringLower(Enumerable.Repeat((byte)n, 32).ToArray())}\",\"parentHash\":\"0x{new string('0', 64)}\",\"timestamp\":\"0x{TimestampOf(n):x}\"}}";
    }

    private string CallJson(JsonElement parameters)
    {
        var data = Convert.FromHexString(parameters[0].GetProperty("data").GetString()![2..]);
        if (Convert.ToHexStringLower(data.AsSpan(0, 4)) != ChannelStateSelector)
        {
            throw new InvalidOperationException("unexpected eth_call");
        }

        var block = parameters.GetArrayLength() > 1 ? Number(parameters[1].GetString()!) : Head;
        var channel = ChannelId.FromBytes(data.AsSpan(4, 32));
        var state = new ChannelState(false, 0, 0, 0, 0, 0);
        if (_states.TryGetValue(channel, out var list))
        {
            foreach (var entry in list.Where(e => e.From <= block))
            {
                state = entry.State;
            }
        }

        var words = new[] { state.Exists ? BigInteger.One : BigInteger.Zero, state.PayerDeposit, state.RedeemedByPayee, state.PayeeDeposit, state.RedeemedByPayer, new BigInteger(state.CloseDeadline) };
        var output = new byte[32 * words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            var b = words[i].ToByteArray(isUnsigned: true, isBigEndian: true);
            b.CopyTo(output, (32 * i) + 32 - b.Length);
        }

        return "\"0x" + Convert.ToHexStringLower(output) + "\"";
    }

    private string LogsJson(JsonElement filter)
    {
        var from = Number(filter.GetProperty("fromBlock").GetString()!);
        var to = Number(filter.GetProperty("toBlock").GetString()!);
        var topics = filter.TryGetProperty("topics", out var t) ? t.EnumerateArray().ToArray() : [];
        var matching = _logs.Where(l => l.BlockNumber >= from && l.BlockNumber <= to && Matches(l, topics));
        return "[" + string.Join(",", matching.Select(LogJson)) + "]";
    }

    private static bool Matches(LogEntry log, JsonElement[] topics)
    {
        for (var i = 0; i < topics.Length; i++)
        {
            if (topics[i].ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (i >= log.Topics.Count || !topics[i].EnumerateArray().Any(x => x.GetString() == "0x" + Convert.ToHexStringLower(log.Topics[i])))
            {
                return false;
            }
        }

        return true;
    }

    private static string LogJson(LogEntry log) =>
        $"{{\"address\":\"{log.Address.ToLowerHex()}\",\"topics\":[{string.Join(",", log.Topics.Select(t => $"\"0x{Convert.ToHexStringLower(t)}\""))}],"
        + $"\"data\":\"0x{Convert.ToHexStringLower(log.Data)}\",\"blockNumber\":\"0x{log.BlockNumber:x}\",\"blockHash\":\"0x{Convert.ToHexStringLower(log.BlockHash!)}\","
        + $"\"transactionHash\":\"0x{Convert.ToHexStringLower(log.TransactionHash!)}\",\"transactionIndex\":\"0x0\",\"logIndex\":\"0x{log.LogIndex:x}\",\"removed\":false}}";
}
