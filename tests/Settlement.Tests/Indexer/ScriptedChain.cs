using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// An in-memory chain for the indexer's unit tests: blocks with ERC-20 <c>Transfer</c> logs of <see cref="Token"/> and
/// hand-encoded channel contract logs, reorgs (replacing blocks get other hashes), a log range limit like a public
/// node's, blocks the node does not answer for, and a hook inside <c>eth_getLogs</c>. Records every call.
/// </summary>
internal sealed class ScriptedChain : IChainSource
{
    public const ulong Id = 31337;
    public static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    public static readonly Address Token = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    public static readonly Address Alice = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    public static readonly Address Bob = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    public static readonly Address Other = Address.Parse("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");

    private readonly List<(ChainBlock Block, List<LogEntry> Logs)> _blocks = [];
    private int _fork;
    private int _nextFork = 1;
    private int _tx;

    public ScriptedChain() => _blocks.Add((new ChainBlock(0, Hash("genesis", 0), Hash("none", 0)), []));

    public ulong ChainId { get; set; } = Id;

    /// <summary>The node refuses <c>eth_getLogs</c> over more blocks than this (null: no limit).</summary>
    public int? MaxRange { get; set; }

    /// <summary>Every log is returned twice.</summary>
    public bool DuplicateLogs { get; set; }

    /// <summary>Blocks the node answers <c>null</c> for (as a node that has not caught up).</summary>
    public HashSet<ulong> Unknown { get; } = [];

    /// <summary>Runs inside the next <c>eth_getLogs</c> after the logs are read (once).</summary>
    public Action? DuringGetLogs { get; set; }

    /// <summary>Thrown by the next <c>GetHeadAsync</c> (once).</summary>
    public Exception? FailNextHead { get; set; }

    public List<(ulong From, ulong To, bool Refused)> Ranges { get; } = [];

    public List<ulong> BlocksAsked { get; } = [];

    public int ChainIdCalls { get; private set; }

    /// <summary>Head reads asked, counted before a cancelled token is honoured (a real node would get the request).</summary>
    public int HeadCalls { get; private set; }

    public ulong Head => (ulong)_blocks.Count - 1;

    public ChainBlock BlockAt(ulong number) => _blocks[(int)number].Block;

    /// <summary>Mines a block with one token transfer per item.</summary>
    public ScriptedChain Mine(params (Address From, Address To, long Amount)[] transfers) =>
        MineLogs(transfers.Select(t => TransferLog(t.From, t.To, t.Amount)).ToArray());

    /// <summary>Mines a block with these logs (block number, hash, transaction hash and log index filled in unless set).</summary>
    public ScriptedChain MineLogs(params LogEntry[] logs)
    {
        var number = (ulong)_blocks.Count;
        var parent = _blocks[^1].Block.Hash;
        var hash = Hash($"{_fork}:{parent}", number);
        var placed = logs.Select((l, i) => l with
        {
            BlockNumber = l.BlockNumber ?? number,
            BlockHash = l.BlockHash ?? Hex.Decode(hash),
            TransactionHash = l.TransactionHash ?? Hex.Decode(Hash("tx", (ulong)++_tx)),
            LogIndex = l.LogIndex ?? (ulong)i,
        }).ToList();
        _blocks.Add((new ChainBlock(number, hash, parent), placed));
        return this;
    }

    /// <summary>Mines a block holding <paramref name="valid"/>, then the logs <paramref name="asIs"/> exactly as given (e.g. without a log index).</summary>
    public ScriptedChain MineAsIs(LogEntry valid, params LogEntry[] asIs)
    {
        MineLogs(valid);
        var (block, logs) = _blocks[^1];
        logs.AddRange(asIs.Select(l => l with { BlockNumber = l.BlockNumber ?? block.Number }));
        return this;
    }

    /// <summary>The node answers <c>eth_getLogs</c> with the logs of every address, not only those asked for.</summary>
    public bool IgnoreAddressFilter { get; set; }

    public ScriptedChain MineEmpty(int blocks)
    {
        for (var i = 0; i < blocks; i++)
        {
            MineLogs();
        }

        return this;
    }

    /// <summary>Drops the newest <paramref name="depth"/> blocks; blocks mined after this get other hashes.</summary>
    public ScriptedChain Reorg(int depth)
    {
        _blocks.RemoveRange(_blocks.Count - depth, depth);
        _fork = _nextFork++;
        return this;
    }

    public static LogEntry TransferLog(Address from, Address to, long amount, Address? token = null) => new()
    {
        Address = token ?? Token,
        Topics = [Erc20Transfer.Topic0, Word(from), Word(to)],
        Data = Word(amount),
    };

    /// <summary>The channel of <paramref name="payer"/> to <paramref name="payee"/> in <see cref="Token"/> (challenge period 3600 s).</summary>
    public static ChannelParameters Channel(Address payer, Address payee, ulong nonce) => new(payer, payee, Token, 3600, nonce);

    /// <summary>A <c>ChannelOpened(bytes32 indexed channelId, address indexed payer, address indexed payee, address token, address funder, uint32 challengePeriod, uint64 nonce, uint256 deposit)</c> log.</summary>
    public static LogEntry ChannelOpenedLog(ChannelParameters channel, long deposit) => new()
    {
        Address = Contract,
        Topics = [Topic("ChannelOpened(bytes32,address,address,address,address,uint32,uint64,uint256)"), channel.Id.Bytes.ToArray(), Word(channel.Payer), Word(channel.Payee)],
        Data = [.. Word(channel.Token), .. Word(channel.Payer), .. Word(channel.ChallengePeriodSeconds), .. Word((long)channel.Nonce), .. Word(deposit)],
    };

    /// <summary>A <c>VoucherRedeemed(bytes32 indexed channelId, address indexed payer, address indexed payee, address token, bool payerToPayee, uint256 amount, uint256 cumulativeAmount)</c> log, payer to payee.</summary>
    public static LogEntry VoucherRedeemedLog(ChannelParameters channel, long amount, long cumulative) => new()
    {
        Address = Contract,
        Topics = [Topic("VoucherRedeemed(bytes32,address,address,address,bool,uint256,uint256)"), channel.Id.Bytes.ToArray(), Word(channel.Payer), Word(channel.Payee)],
        Data = [.. Word(channel.Token), .. Word(1), .. Word(amount), .. Word(cumulative)],
    };

    /// <summary>
    /// A <c>BatchRedeemed(address indexed payee, address indexed token, uint32 challengePeriod, bytes items)</c> log of
    /// channels that share payee, token and challenge period; each item is payer | nonce (5 bytes) | cumulative (12 bytes).
    /// </summary>
    public static LogEntry BatchRedeemedLog(params (ChannelParameters Channel, long Cumulative)[] items)
    {
        var first = items[0].Channel;
        var bytes = new List<byte>();
        foreach (var (channel, cumulative) in items)
        {
            bytes.AddRange(channel.Payer.Bytes.ToArray());
            bytes.AddRange(Word((long)channel.Nonce)[^5..]);
            bytes.AddRange(Word(cumulative)[^12..]);
        }

        var padded = (bytes.Count + 31) / 32 * 32;
        return new LogEntry
        {
            Address = Contract,
            Topics = [Topic("BatchRedeemed(address,address,uint32,bytes)"), Word(first.Payee), Word(first.Token)],
            Data = [.. Word(first.ChallengePeriodSeconds), .. Word(64), .. Word(bytes.Count), .. bytes, .. new byte[padded - bytes.Count]],
        };
    }

    public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default)
    {
        ChainIdCalls++;
        return Task.FromResult(ChainId);
    }

    public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        HeadCalls++;
        cancellationToken.ThrowIfCancellationRequested();
        if (FailNextHead is { } ex)
        {
            FailNextHead = null;
            return Task.FromException<ulong>(ex);
        }

        return Task.FromResult(Head);
    }

    public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default)
    {
        BlocksAsked.Add(number);
        return Task.FromResult(number < (ulong)_blocks.Count && !Unknown.Contains(number) ? _blocks[(int)number].Block : null);
    }

    public Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default)
    {
        if (MaxRange is { } max && to - from + 1 > (ulong)max)
        {
            Ranges.Add((from, to, true));
            return Task.FromResult(LogQueryResult.TooLarge(string.Create(CultureInfo.InvariantCulture, $"block range is too large (max {max})")));
        }

        Ranges.Add((from, to, false));
        var logs = new List<LogEntry>();
        for (var n = from; n <= to && n < (ulong)_blocks.Count; n++)
        {
            foreach (var log in _blocks[(int)n].Logs.Where(l => IgnoreAddressFilter || addresses.Contains(l.Address)))
            {
                logs.Add(log);
                if (DuplicateLogs)
                {
                    logs.Add(log);
                }
            }
        }

        var hook = DuringGetLogs;
        DuringGetLogs = null;
        hook?.Invoke();

        // A node answers in chain order; reversed here so that the indexer's own ordering is what counts.
        logs.Reverse();
        return Task.FromResult(LogQueryResult.Ok(logs));
    }

    private static byte[] Word(Address a) => [.. new byte[12], .. a.Bytes];

    private static byte[] Word(long value)
    {
        var word = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(word.AsSpan(24), value);
        return word;
    }

    private static byte[] Topic(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature));

    private static string Hash(string salt, ulong number) =>
        Hex.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(salt + "/" + number.ToString(CultureInfo.InvariantCulture))));
}
