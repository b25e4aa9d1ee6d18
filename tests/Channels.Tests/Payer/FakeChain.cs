using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json.Nodes;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Generated.TestStablecoinContract;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Rpc;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// A chain node in memory, for the payer's chain calls: answers <c>eth_call</c> of <c>channelState</c> with
/// <see cref="State"/> and <c>eth_getBlockByNumber</c> with a block at <see cref="HeadTimestamp"/>; as an
/// <see cref="IContractTransactor"/> it records every transaction and applies top-ups, closes and settles to the state.
/// </summary>
internal sealed class FakeChain : JsonRpcHandler, IContractTransactor
{
    private readonly List<(Address? To, string Function, BigInteger Value, byte[] Data)> _sent = [];

    public FakeChain(Address sender) => Sender = sender;

    public Address Sender { get; }

    public ChannelState State { get; set; } = new(true, 0, 0, 0, 0, 0);

    /// <summary>What <c>eth_call</c> at an explicit block number answers (a confirmed read); null: <see cref="State"/>.</summary>
    public ChannelState? ConfirmedState { get; set; }

    /// <summary>The newest block number (<c>eth_blockNumber</c>).</summary>
    public ulong Head { get; set; } = 8;

    /// <summary>Block numbers asked for by <c>eth_call</c> at an explicit block, in order.</summary>
    public List<ulong> ConfirmedReads { get; } = [];

    /// <summary>The challenge period a start of close sets the deadline to (head time + this).</summary>
    public ulong ChallengePeriod { get; set; } = 3600;

    public ulong HeadTimestamp { get; set; } = 1_800_000_000;

    /// <summary>The nonce the next opened channel gets.</summary>
    public ulong NextNonce { get; set; } = 100;

    /// <summary>When true, <c>eth_getBlockByNumber</c> answers null (no such block).</summary>
    public bool NoHead { get; set; }

    public int StateReads { get; private set; }

    /// <summary>Runs before a transaction is mined, with its function name (what the payer does meanwhile).</summary>
    public Func<string, Task>? BeforeMine { get; set; }

    /// <summary>Transactions sent, by function name ("approve" for a token), in order.</summary>
    public IReadOnlyList<(Address? To, string Function, BigInteger Value, byte[] Data)> Sent
    {
        get
        {
            lock (Gate)
            {
                return [.. _sent];
            }
        }
    }

    public IEnumerable<string> Functions => Sent.Select(s => s.Function);

    public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var bytes = data.ToArray();
        var function = NameOf(bytes);
        if (BeforeMine is { } hook)
        {
            await hook(function);
        }

        IReadOnlyList<LogEntry> logs = [];
        lock (Gate)
        {
            _sent.Add((to, function, value, bytes));
            if (function is "open" or "openWithPermit")
            {
                logs = [Opened(to!.Value, bytes, NextNonce++)];
            }

            var lastWord = new BigInteger(bytes.AsSpan(bytes.Length - 32), isUnsigned: true, isBigEndian: true);
            State = function switch
            {
                "topUp" => State with { PayerDeposit = State.PayerDeposit + lastWord },
                "startClose" or "startCloseWithVoucher" => State with { CloseDeadline = HeadTimestamp + ChallengePeriod },
                "settle" or "cooperativeClose" => new ChannelState(false, 0, 0, 0, 0, 0),
                _ => State,
            };
        }

        return new TransactionReceipt
        {
            TransactionHash = new byte[32],
            BlockNumber = 7,
            BlockHash = new byte[32],
            From = Sender,
            To = to,
            Succeeded = true,
            GasUsed = 21_000,
            Logs = logs,
        };
    }

    protected override JsonObject Respond(string method, JsonArray parameters) => method switch
    {
        "eth_call" => Result("0x" + Convert.ToHexStringLower(EncodeState(BlockOf(parameters)))),
        "eth_blockNumber" => Result($"0x{Head:x}"),
        "eth_getBlockByNumber" when NoHead => Result(null),
        "eth_getBlockByNumber" => Result(new JsonObject
        {
            ["number"] = "0x8", ["hash"] = "0x" + new string('1', 64), ["parentHash"] = "0x" + new string('2', 64), ["timestamp"] = $"0x{HeadTimestamp:x}",
        }),
        var other => throw new InvalidOperationException($"unexpected RPC method {other}"),
    };

    private static string NameOf(byte[] data)
    {
        var selector = Convert.ToHexStringLower(data.AsSpan(0, 4));
        return selector == Selector<TopUpFunction>() ? "topUp"
            : selector == Selector<StartCloseFunction>() ? "startClose"
            : selector == Selector<StartCloseWithVoucherFunction>() ? "startCloseWithVoucher"
            : selector == Selector<SettleFunction>() ? "settle"
            : selector == Selector<CooperativeCloseFunction>() ? "cooperativeClose"
            : selector == Selector<ApproveFunction>() ? "approve"
            : selector == Selector<OpenFunction>() ? "open"
            : selector == Selector<OpenWithPermitFunction>() ? "openWithPermit"
            : selector;
    }

    private static string Selector<TFunction>()
        where TFunction : FunctionMessage =>
        ABITypedRegistry.GetFunctionABI<TFunction>().Sha3Signature.ToLowerInvariant();

    /// <summary>The ChannelOpened log of an open call (payer, payee, token, challenge period, amount are its first words).</summary>
    private LogEntry Opened(Address contract, byte[] call, ulong nonce)
    {
        byte[] Word(int index) => call.AsSpan(4 + (32 * index), 32).ToArray();
        Address AddressAt(int index) => Address.FromBytes(Word(index).AsSpan(12));
        var challenge = (uint)new BigInteger(Word(3), isUnsigned: true, isBigEndian: true);
        var parameters = new ChannelParameters(AddressAt(0), AddressAt(1), AddressAt(2), challenge, nonce);
        var sender = new byte[32];
        Sender.Bytes.CopyTo(sender.AsSpan(12));
        var nonceWord = new byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(nonceWord.AsSpan(24), nonce);
        return new LogEntry
        {
            Address = contract,
            Topics = [Convert.FromHexString(ContractMessages.Topic0(ABITypedRegistry.GetEvent<ChannelOpenedEventDto>())), parameters.Id.Bytes.ToArray(), Word(0), Word(1)],
            Data = [.. Word(2), .. sender, .. Word(3), .. nonceWord, .. Word(4)],
        };
    }

    private static ulong? BlockOf(JsonArray parameters)
    {
        if (parameters.Count < 2 || parameters[1]?.GetValue<string>() is not { } tag || !tag.StartsWith("0x", StringComparison.Ordinal))
        {
            return null;
        }

        return Convert.ToUInt64(tag[2..], 16);
    }

    private byte[] EncodeState(ulong? block)
    {
        ChannelState s;
        lock (Gate)
        {
            StateReads++;
            if (block is { } number)
            {
                ConfirmedReads.Add(number);
            }

            s = block is not null && ConfirmedState is { } confirmed ? confirmed : State;
        }

        var words = new[] { s.Exists ? BigInteger.One : BigInteger.Zero, s.PayerDeposit, s.RedeemedByPayee, s.PayeeDeposit, s.RedeemedByPayer, new BigInteger(s.CloseDeadline) };
        var output = new byte[32 * words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            var b = words[i].ToByteArray(isUnsigned: true, isBigEndian: true);
            b.CopyTo(output, (32 * i) + 32 - b.Length);
        }

        return output;
    }
}
