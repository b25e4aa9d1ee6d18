using System.ComponentModel.DataAnnotations;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Source;

namespace Settlement.Service.Tests.Indexer;

public sealed class IndexerInputsTests
{
    private static readonly Address From = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address To = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");

    private static byte[] Word(Address a) => [.. new byte[12], .. a.Bytes];

    private static byte[] Amount(byte last) => [.. new byte[31], last];

    [Fact]
    public void Erc20Transfer_WellFormed_Decoded()
    {
        var log = new LogEntry { Address = To, Topics = [Erc20Transfer.Topic0, Word(From), Word(To)], Data = Amount(9) };

        Erc20Transfer.TryDecode(log, out var transfer).ShouldBeTrue();

        transfer.ShouldBe(new Erc20Transfer(From, To, 9));
        Convert.ToHexStringLower(Erc20Transfer.Topic0).ShouldBe("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    }

    public static TheoryData<string, LogEntry> Malformed() => new()
    {
        { "no topics", new LogEntry { Address = To, Topics = [], Data = Amount(1) } },
        { "other event", new LogEntry { Address = To, Topics = [new byte[32], Word(From), Word(To)], Data = Amount(1) } },
        { "value not indexed in data", new LogEntry { Address = To, Topics = [Erc20Transfer.Topic0, Word(From), Word(To)], Data = [] } },
        { "ERC-721 style (4 topics)", new LogEntry { Address = To, Topics = [Erc20Transfer.Topic0, Word(From), Word(To), Amount(1)], Data = [] } },
        { "dirty address word", new LogEntry { Address = To, Topics = [Erc20Transfer.Topic0, [1, .. Word(From)[1..]], Word(To)], Data = Amount(1) } },
        { "short topic", new LogEntry { Address = To, Topics = [Erc20Transfer.Topic0, From.Bytes.ToArray(), Word(To)], Data = Amount(1) } },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Erc20Transfer_Malformed_FalseNeverThrows(string why, LogEntry log) =>
        Erc20Transfer.TryDecode(log, out _).ShouldBeFalse(why);

    [Theory]
    [InlineData(-32005, "limit exceeded", true)]
    [InlineData(-32000, "query returned more than 10000 results", true)]
    [InlineData(-32000, "block range is too large", true)]
    [InlineData(-32602, "exceed maximum block range: 5000", true)]
    [InlineData(-32000, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range", true)]
    [InlineData(-32000, "execution reverted", false)]
    [InlineData(-32601, "method not found", false)]
    public void LogRangeErrors_Classified(int code, string message, bool tooLarge) =>
        LogRangeErrors.IsRangeTooLarge(code, message).ShouldBe(tooLarge);

    private static IndexerOptions Valid() => new()
    {
        ChainId = 31337,
        ChannelContract = "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        Token = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
    };

    private static List<ValidationResult> Validate(IndexerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Options_Valid_NoErrorsAndDerivedStream()
    {
        var options = Valid();

        Validate(options).ShouldBeEmpty();
        options.StreamName.ShouldBe("31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    }

    public static TheoryData<string, Action<IndexerOptions>, string> BadOptions() => new()
    {
        { "chain id 0", o => o.ChainId = 0, nameof(IndexerOptions.ChainId) },
        { "no contract", o => o.ChannelContract = null, nameof(IndexerOptions.ChannelContract) },
        { "contract not an address", o => o.ChannelContract = "0x1234", nameof(IndexerOptions.ChannelContract) },
        { "token not an address", o => o.Token = "tGBP", nameof(IndexerOptions.Token) },
        { "ledger 0", o => o.TokenLedger = 0, nameof(IndexerOptions.TokenLedger) },
        { "negative confirmations", o => o.Confirmations = -1, nameof(IndexerOptions.Confirmations) },
        { "range 0", o => o.InitialBlockRange = 0, nameof(IndexerOptions.InitialBlockRange) },
        { "min above initial", o => o.MinBlockRange = 5_000, nameof(IndexerOptions.MinBlockRange) },
        { "initial above max", o => o.MaxBlockRange = 100, nameof(IndexerOptions.MaxBlockRange) },
        { "poll interval 0", o => o.PollInterval = TimeSpan.Zero, nameof(IndexerOptions.PollInterval) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Options_Bad_ErrorNamesTheSetting(string why, Action<IndexerOptions> spoil, string member)
    {
        var options = Valid();
        spoil(options);

        Validate(options).ShouldContain(r => r.MemberNames.Contains(member), why);
    }

    [Fact]
    public void Indexer_BadOptions_RefusedAtConstruction()
    {
        var options = Valid();
        options.Token = "nope";

        var ex = Should.Throw<ArgumentException>(() => new ChainIndexer(new NoChain(), new NoStore(), options));

        ex.Message.ShouldContain("Settlement:Indexer:Token");
    }

    private sealed class NoChain : IChainSource
    {
        public Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LogQueryResult> GetLogsAsync(ulong from, ulong to, IReadOnlyList<Address> addresses, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private sealed class NoStore : Settlement.Service.Indexer.Storage.IChainIndexStore
    {
        public Task<Settlement.Service.Indexer.Storage.IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Settlement.Service.Indexer.Storage.BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Settlement.Service.Indexer.Storage.IndexedChannel>> GetChannelsAsync(string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Settlement.Service.Indexer.Storage.BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Settlement.Service.Indexer.Storage.BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Settlement.Service.Indexer.Storage.ChainIndexWriteResult> ApplyBatchAsync(
            Settlement.Service.Indexer.Storage.ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Settlement.Service.Indexer.Storage.ChainIndexWriteResult> RollbackAsync(
            Settlement.Service.Indexer.Storage.ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
