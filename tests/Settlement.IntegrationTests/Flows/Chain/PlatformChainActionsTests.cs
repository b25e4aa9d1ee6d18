using System.Numerics;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Service.Flows;
using Settlement.Service.Flows.Chain;
using Settlement.Service.Storage.Sqlite.Flows;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Flows.Chain;

/// <summary>
/// The platform's chain steps on a real Anvil node through a SQLite outbox: each step sends one transaction, ever —
/// after a repeat, after a crash between storing and broadcasting, after a crash between broadcasting and the receipt —
/// and refusals are results that leave no stablecoin issued without a reserve.
/// </summary>
public sealed class PlatformChainActionsTests(AnvilNode node) : IClassFixture<AnvilNode>, IAsyncLifetime
{
    private const uint Period = 3600;
    private static readonly HttpClient Http = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-outbox-");
    private readonly PrivateKey _platform = EthereumDevNode.DevKey(0);
    private readonly PrivateKey _payer = EthereumDevNode.DevKey(1);
    private readonly PrivateKey _merchant = EthereumDevNode.DevKey(2);
    private EthereumRpcClient _rpc = null!;
    private ChannelContract _channels = null!;
    private StablecoinContract _token = null!;
    private string _outboxPath = null!;

    public async Task InitializeAsync()
    {
        _rpc = new EthereumRpcClient(Http, new EthereumRpcOptions { Url = node.RpcUrl, ChainId = node.ChainId });
        var deployer = new SignedTransactor(NewSender(), _platform);
        _channels = await ChannelContract.DeployAsync(_rpc, deployer);
        _token = await StablecoinContract.DeployAsync(_rpc, deployer, _platform.Address);
        _outboxPath = Path.Combine(_directory.FullName, "outbox.db");
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        _platform.Dispose();
        _payer.Dispose();
        _merchant.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task FundNewChannel_OpensOnThePayersBehalf_WithTheMintedAmount()
    {
        var before = await PlatformNonceAsync();
        var result = await Actions().FundNewChannelAsync("topup/1/fund", Payer, Merchant, 250_000, default);

        result.Status.ShouldBe(ChainActionStatus.Mined);
        result.Error.ShouldBeNull();
        var state = await _channels.GetStateAsync(ChannelId.Parse(result.ChannelId!), null);
        state.Exists.ShouldBeTrue();
        state.PayerDeposit.ShouldBe(new BigInteger(250_000));
        var opened = await _channels.FindOpenedAsync(ChannelId.Parse(result.ChannelId!), BlockParameter.Latest);
        opened!.Channel.Payer.ShouldBe(_payer.Address);
        opened.Channel.Payee.ShouldBe(_merchant.Address);
        opened.Funder.ShouldBe(_platform.Address);
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(250_000));
        (await _token.BalanceOfAsync(_channels.Address)).ShouldBe(new BigInteger(250_000));
        var receipt = await _rpc.GetTransactionReceiptAsync(Settlement.Ethereum.Encoding.Hex.Decode(result.TransactionHash));
        receipt!.BlockNumber.ShouldBe(result.BlockNumber);
        (await PlatformNonceAsync()).ShouldBe(before + 3); // mint, approve, open
    }

    [Fact]
    public async Task FundNewChannel_RepeatedWithTheSameKey_SendsNothingAndAnswersTheSame()
    {
        var first = await Actions().FundNewChannelAsync("topup/2/fund", Payer, Merchant, 40_000, default);
        var nonce = await PlatformNonceAsync();

        var again = await Actions().FundNewChannelAsync("topup/2/fund", Payer, Merchant, 40_000, default);

        again.ShouldBe(first);
        (await PlatformNonceAsync()).ShouldBe(nonce);
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(40_000));
        (await OpenedChannelsAsync()).ShouldBe(1); // one channel opened
    }

    [Theory]
    [InlineData("/mint")]
    [InlineData("/approve")]
    [InlineData("/open")]
    public async Task Crash_AfterStoringBeforeBroadcast_RestartSendsTheStoredBytesOnce(string step)
    {
        var outbox = new FaultyOutbox(new SqliteChainOutbox(_outboxPath)) { CrashAfterAddOf = "topup/3/fund" + step };
        await Should.ThrowAsync<SimulatedCrash>(() => Actions(outbox).FundNewChannelAsync("topup/3/fund", Payer, Merchant, 70_000, default));
        var stored = await new SqliteChainOutbox(_outboxPath).GetAsync("topup/3/fund" + step);
        stored.ShouldNotBeNull();
        stored.MinedBlock.ShouldBeNull();

        // A new process: new nonce manager, same outbox. The stored transaction is re-sent first, its nonce is not reused.
        var result = await Actions().FundNewChannelAsync("topup/3/fund", Payer, Merchant, 70_000, default);

        result.Status.ShouldBe(ChainActionStatus.Mined);
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(70_000));
        (await OpenedChannelsAsync()).ShouldBe(1); // one channel opened
        (await _rpc.GetTransactionReceiptAsync(Settlement.Ethereum.Encoding.Hex.Decode(stored.TransactionHash))).ShouldNotBeNull();
        (await new SqliteChainOutbox(_outboxPath).ListUnminedAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Crash_AfterBroadcastBeforeTheReceiptWasRecorded_RestartWaitsForTheSameTransaction()
    {
        var outbox = new FaultyOutbox(new SqliteChainOutbox(_outboxPath)) { CrashAtMarkMinedOf = "topup/4/fund/open" };
        await Should.ThrowAsync<SimulatedCrash>(() => Actions(outbox).FundNewChannelAsync("topup/4/fund", Payer, Merchant, 12_345, default));
        var nonce = await PlatformNonceAsync();

        var result = await Actions().FundNewChannelAsync("topup/4/fund", Payer, Merchant, 12_345, default);

        result.Status.ShouldBe(ChainActionStatus.Mined);
        result.TransactionHash.ShouldBe((await new SqliteChainOutbox(_outboxPath).GetAsync("topup/4/fund/open"))!.TransactionHash);
        (await PlatformNonceAsync()).ShouldBe(nonce);
        (await OpenedChannelsAsync()).ShouldBe(1); // one channel opened
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(12_345));
    }

    [Fact]
    public async Task FundNewChannel_PayerEqualsPayee_RefusedBeforeAnythingIsSent()
    {
        var nonce = await PlatformNonceAsync();
        var result = await Actions().FundNewChannelAsync("topup/5/fund", Payer, Payer, 1_000, default);

        result.Status.ShouldBe(ChainActionStatus.Reverted);
        result.Error.ShouldBe("payer and payee must be two different non-zero addresses");
        result.TransactionHash.ShouldBeEmpty();
        (await PlatformNonceAsync()).ShouldBe(nonce);
        (await new SqliteChainOutbox(_outboxPath).GetAsync("topup/5/fund/mint")).ShouldBeNull();
    }

    [Fact]
    public async Task FundNewChannel_OpenRevertedByTheContract_TheMintIsBurnedAgain()
    {
        // A challenge period below the contract's minimum: the open reverts after the mint.
        var actions = Actions(challengePeriod: 1);

        var result = await actions.FundNewChannelAsync("topup/6/fund", Payer, Merchant, 5_000, default);

        result.Status.ShouldBe(ChainActionStatus.Reverted);
        result.Error.ShouldBe("InvalidChallengePeriod");
        (await _token.TotalSupplyAsync()).ShouldBe(BigInteger.Zero);
        (await _token.BalanceOfAsync(_platform.Address)).ShouldBe(BigInteger.Zero);
        (await OpenedChannelsAsync()).ShouldBe(0); // none opened
        (await new SqliteChainOutbox(_outboxPath).GetAsync("topup/6/fund/unmint")).ShouldNotBeNull();
    }

    [Fact]
    public async Task TopUpChannel_AddsToTheDeposit_OnceUnderRepeats()
    {
        var opened = await Actions().FundNewChannelAsync("topup/7/fund", Payer, Merchant, 10_000, default);

        var first = await Actions().TopUpChannelAsync("topup/8/fund", opened.ChannelId!, 2_500, default);
        var again = await Actions().TopUpChannelAsync("topup/8/fund", opened.ChannelId!, 2_500, default);

        first.Status.ShouldBe(ChainActionStatus.Mined);
        again.ShouldBe(first);
        first.ChannelId.ShouldBe(opened.ChannelId);
        (await _channels.GetStateAsync(ChannelId.Parse(opened.ChannelId!), null)).PayerDeposit.ShouldBe(new BigInteger(12_500));
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(12_500));
    }

    [Fact]
    public async Task TopUpChannel_UnknownChannel_RefusedWithNothingSent()
    {
        var nonce = await PlatformNonceAsync();
        var unknown = "0x" + new string('7', 64);

        var result = await Actions().TopUpChannelAsync("topup/9/fund", unknown, 1_000, default);

        result.Status.ShouldBe(ChainActionStatus.Reverted);
        result.Error.ShouldBe($"no channel {unknown} was opened on contract {_channels.Address}");
        (await PlatformNonceAsync()).ShouldBe(nonce);
    }

    [Fact]
    public async Task BurnFrom_UnderTheMerchantsAllowance_BurnsOnce()
    {
        var merchantTx = new SignedTransactor(NewSender(), _merchant);
        await _token.MintAsync(new SignedTransactor(NewSender(), _platform), _merchant.Address, 90_000);
        await _token.ApproveAsync(merchantTx, _platform.Address, 60_000);

        var first = await Actions().BurnFromAsync("payout/1/burn", Merchant, 60_000, default);
        var again = await Actions().BurnFromAsync("payout/1/burn", Merchant, 60_000, default);

        first.Status.ShouldBe(ChainActionStatus.Mined);
        again.ShouldBe(first);
        (await _token.BalanceOfAsync(_merchant.Address)).ShouldBe(new BigInteger(30_000));
        (await _token.TotalSupplyAsync()).ShouldBe(new BigInteger(30_000));
    }

    [Fact]
    public async Task BurnFrom_WithoutAllowance_RevertedAndNothingBurned()
    {
        await _token.MintAsync(new SignedTransactor(NewSender(), _platform), _merchant.Address, 1_000);

        var result = await Actions().BurnFromAsync("payout/2/burn", Merchant, 1_000, default);

        result.Status.ShouldBe(ChainActionStatus.Reverted);
        result.Error.ShouldNotBeNullOrEmpty();
        (await _token.BalanceOfAsync(_merchant.Address)).ShouldBe(new BigInteger(1_000));
    }

    [Fact]
    public async Task StepKeyReusedForAnotherTransaction_Throws_AndSendsNothing()
    {
        await Actions().FundNewChannelAsync("topup/10/fund", Payer, Merchant, 500, default);
        var nonce = await PlatformNonceAsync();

        var ex = await Should.ThrowAsync<ChainStepConflictException>(() => Actions().FundNewChannelAsync("topup/10/fund", Payer, Merchant, 501, default));

        ex.StepKey.ShouldBe("topup/10/fund/mint");
        (await PlatformNonceAsync()).ShouldBe(nonce);
    }

    private string Payer => _payer.Address.ToString();

    private string Merchant => _merchant.Address.ToString();

    private TransactionSender NewSender() =>
        new(_rpc, new NonceManager(_rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) });

    private PlatformChainActions Actions(IChainOutbox? outbox = null, uint challengePeriod = Period) =>
        new(_channels, _token, NewSender(), _platform, outbox ?? new SqliteChainOutbox(_outboxPath), node.ChainId, challengePeriod);

    private Task<ulong> PlatformNonceAsync() => _rpc.GetTransactionCountAsync(_platform.Address, BlockParameter.Pending);

    private sealed class SimulatedCrash : Exception;

    /// <summary>An outbox that "crashes" right after storing one step, or when recording one step's receipt.</summary>
    private sealed class FaultyOutbox(IChainOutbox inner) : IChainOutbox
    {
        public string? CrashAfterAddOf { get; init; }

        public string? CrashAtMarkMinedOf { get; init; }

        public Task<ChainOutboxEntry?> GetAsync(string stepKey, CancellationToken cancellationToken = default) => inner.GetAsync(stepKey, cancellationToken);

        public async Task<ChainOutboxEntry> AddAsync(ChainOutboxEntry entry, CancellationToken cancellationToken = default)
        {
            var kept = await inner.AddAsync(entry, cancellationToken);
            return entry.StepKey == CrashAfterAddOf ? throw new SimulatedCrash() : kept;
        }

        public Task MarkMinedAsync(string stepKey, ulong blockNumber, CancellationToken cancellationToken = default) =>
            stepKey == CrashAtMarkMinedOf ? throw new SimulatedCrash() : inner.MarkMinedAsync(stepKey, blockNumber, cancellationToken);

        public Task<IReadOnlyList<ChainOutboxEntry>> ListUnminedAsync(CancellationToken cancellationToken = default) => inner.ListUnminedAsync(cancellationToken);
    }

    // The contract's ChannelOpened events so far (v2 has no channel counter: the nonce is the opening block).
    private async Task<int> OpenedChannelsAsync() =>
        (await _channels.GetEventsAsync(Settlement.Ethereum.Rpc.BlockParameter.Earliest, Settlement.Ethereum.Rpc.BlockParameter.Latest))
            .OfType<Settlement.Channels.Contracts.Events.ChannelOpenedEvent>().Count();
}
