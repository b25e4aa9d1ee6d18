using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>A token transfer to mine in a <see cref="FakeChain"/> block; a fixed transaction hash re-includes a transaction after a reorg.</summary>
public sealed record FakeTransfer(Address From, Address To, long Amount, string? TransactionHash = null);

/// <summary>
/// An in-memory chain of blocks with ERC-20 <c>Transfer</c> logs of <see cref="Token"/>: blocks can be mined, reorged
/// (the replacing blocks get other hashes), the log range can be limited like a public node's, logs can be delivered
/// twice, and a hook runs inside <c>eth_getLogs</c> (to change the chain mid-read).
/// </summary>
public sealed class FakeChain : IChainSource
{
    public const ulong Id = 31337;
    public static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    public static readonly Address Token = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    public static readonly Address Alice = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    public static readonly Address Bob = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    public static readonly Address Carol = Address.Parse("0x90f79bf6eb2c4f870365e785982e1f101e93b906");

    private readonly List<(ChainBlock Block, List<LogEntry> Logs)> _blocks = [];
    private int _fork;
    private int _nextFork = 1;
    private int _tx;

    public FakeChain() => _blocks.Add((new ChainBlock(0, Hash("genesis", 0), Hash("none", 0)), []));

    /// <summary>The node refuses <c>eth_getLogs</c> over more blocks than this (null: no limit).</summary>
    public int? MaxRange { get; set; }

    /// <summary>Every log is returned twice.</summary>
    public bool DuplicateLogs { get; set; }

    /// <summary>Runs inside each <c>eth_getLogs</c> after the logs are read (once; cleared before it runs).</summary>
    public Action? DuringGetLogs { get; set; }

    /// <summary>Every log range asked for (accepted or refused).</summary>
    public List<(ulong From, ulong To, bool Refused)> Ranges { get; } = [];

    public ulong Head => (ulong)_blocks.Count - 1;

    public FakeChain Mine(params FakeTransfer[] transfers)
    {
        var number = (ulong)_blocks.Count;
        var parent = _blocks[^1].Block.Hash;
        var hash = Hash($"{_fork}:{parent}", number);
        var logs = new List<LogEntry>();
        foreach (var t in transfers)
        {
            var tx = t.TransactionHash ?? Hash("tx", (ulong)++_tx);
            byte[] amount = [.. new byte[24], .. BitConverter.GetBytes((ulong)t.Amount).Reverse()];
            logs.Add(new LogEntry
            {
                Address = Token,
                Topics = [Erc20Transfer.Topic0, [.. new byte[12], .. t.From.Bytes], [.. new byte[12], .. t.To.Bytes]],
                Data = amount,
                BlockNumber = number,
                BlockHash = Hex.Decode(hash),
                TransactionHash = Hex.Decode(tx),
                TransactionIndex = (ulong)logs.Count,
                LogIndex = (ulong)logs.Count,
            });
        }

        _blocks.Add((new ChainBlock(number, hash, parent), logs));
        return this;
    }

    public FakeChain MineEmpty(int blocks)
    {
        for (var i = 0; i < blocks; i++)
        {
            Mine();
        }

        return this;
    }

    /// <summary>
    /// Drops the newest <paramref name="depth"/> blocks; blocks mined after this have other hashes than the dropped ones,
    /// or, with <paramref name="fork"/> set to an earlier fork's number, that fork's hashes again.
    /// </summary>
    public FakeChain Reorg(int depth, int? fork = null)
    {
        _blocks.RemoveRange(_blocks.Count - depth, depth);
        _fork = fork ?? _nextFork++;
        return this;
    }

    /// <summary>The fork blocks are mined on now (0 at the start).</summary>
    public int Fork => _fork;

    /// <summary>The transaction hash of log <paramref name="logIndex"/> in block <paramref name="number"/>.</summary>
    public string TransactionOf(ulong number, int logIndex) => Hex.Encode(_blocks[(int)number].Logs[logIndex].TransactionHash!);

    public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(Id);

    public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Head);

    public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        Task.FromResult(number < (ulong)_blocks.Count ? _blocks[(int)number].Block : null);

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
            foreach (var log in _blocks[(int)n].Logs.Where(l => addresses.Contains(l.Address)))
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
        return Task.FromResult(LogQueryResult.Ok(logs));
    }

    private static string Hash(string salt, ulong number) =>
        Hex.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(salt + "/" + number.ToString(CultureInfo.InvariantCulture))));
}
