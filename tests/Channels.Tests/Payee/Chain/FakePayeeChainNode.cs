using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Rpc;

namespace Settlement.Channels.Tests.Payee.Chain;

/// <summary>
/// A chain node in memory for the payee's chain reads: blocks 12 s apart, the contract's logs per block
/// (<c>eth_getLogs</c> filtered by range, address and topics as a node does) and each channel's state from a block on
/// (<c>eth_call</c> of <c>channelState</c> at the asked block). Records every request; the JSON-RPC core, the log
/// filter and the scripting hooks (<see cref="JsonRpcHandler.FailNext"/>, <see cref="JsonRpcHandler.OnRequest"/>)
/// are the shared <see cref="InMemoryJsonRpcNode"/>'s.
/// </summary>
internal sealed class FakePayeeChainNode : InMemoryJsonRpcNode
{
    public const ulong ChainId = 31337;
    public const ulong GenesisTimestamp = 1_800_000_000;
    public static readonly Address ContractAddress = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly string ChannelStateSelector = ABITypedRegistry.GetFunctionABI<ChannelStateFunction>().Sha3Signature.ToLowerInvariant();

    private readonly Dictionary<ChannelId, List<(ulong From, ChannelState State)>> _states = [];

    public FakePayeeChainNode()
        : base(ChainId)
    {
        Rpc = new EthereumRpcClient(new HttpClient(this, disposeHandler: false), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:9/"), ChainId = ChainId });
        Contract = new ChannelContract(Rpc, ContractAddress);
    }

    public EthereumRpcClient Rpc { get; }

    public ChannelContract Contract { get; }

    /// <summary>When true, <c>eth_getBlockByNumber</c> answers null.</summary>
    public bool NoBlocks { get; set; }

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
        lock (Gate)
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

    protected override JsonObject Respond(string method, JsonArray parameters) =>
        method == "eth_call" ? Result(Call(parameters)) : base.Respond(method, parameters);

    protected override JsonObject? Block(ulong number) => NoBlocks
        ? null
        : new JsonObject
        {
            ["number"] = Quantity(number),
            ["hash"] = "0x" + Convert.ToHexStringLower(Enumerable.Repeat((byte)number, 32).ToArray()),
            ["parentHash"] = "0x" + new string('0', 64),
            ["timestamp"] = Quantity(TimestampOf(number)),
        };

    private string Call(JsonArray parameters)
    {
        var data = Convert.FromHexString(parameters[0]!["data"]!.GetValue<string>()[2..]);
        if (Convert.ToHexStringLower(data.AsSpan(0, 4)) != ChannelStateSelector)
        {
            throw new InvalidOperationException("unexpected eth_call");
        }

        var block = parameters.Count > 1 ? NumberOf(parameters[1]!.GetValue<string>()) : Head;
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
        return "0x" + Convert.ToHexStringLower(words.SelectMany(w => Word(w)).ToArray());
    }
}
