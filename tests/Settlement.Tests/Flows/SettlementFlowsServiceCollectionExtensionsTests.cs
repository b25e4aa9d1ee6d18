using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// <see cref="SettlementFlowsServiceCollectionExtensions.AddSettlementFlows(IServiceCollection, string, string)"/> and its
/// delegate overload: both option sections bound and validated at start with the validators' messages, the indexer's
/// confirmations and balances as defaults over the registered stores, the bank over the open-banking transfer service
/// unless one is registered, the system clock unless one is registered, and the two hosted workers.
/// </summary>
public sealed class SettlementFlowsServiceCollectionExtensionsTests
{
    private const string Address = "0x3333333333333333333333333333333333333333";
    private const ulong ChainId = 31337;

    private readonly InMemorySettlementStore _store = new(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
    private readonly FakeChainActions _chain = new();

    private static Dictionary<string, string?> Settings(string flows = SettlementFlowOptions.SectionName, string payouts = PayoutOptions.SectionName) => new()
    {
        [$"{flows}:IndexerStream"] = "31337:stream",
        [$"{flows}:ResumeInterval"] = "00:01:00",
        [$"{payouts}:Interval"] = "06:00:00",
        [$"{payouts}:MinimumPence"] = "250",
        [$"{payouts}:FeePence"] = "10",
        [$"{payouts}:ChainId"] = "31337",
        [$"{payouts}:Merchants:0:Id"] = "m1",
        [$"{payouts}:Merchants:0:Address"] = Address,
        [$"{payouts}:Merchants:0:Bank"] = "sandbox",
        [$"{payouts}:Merchants:0:AccountIdentification"] = "20000055555555",
        [$"{payouts}:Merchants:0:AccountName"] = "Merchant Ltd",
    };

    /// <summary>What the host provides before <c>AddSettlementFlows</c>: configuration, logging, the stores and the chain.</summary>
    private ServiceCollection Services(Dictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? Settings()).Build());
        services.AddLogging();
        services.AddSingleton<IFlowStore>(_store);
        services.AddSingleton<ILedgerStore>(_store);
        services.AddSingleton<IChainIndexStore>(_store);
        services.AddSingleton<ISweepingConsentStore>(_store);
        services.AddSingleton<IChainActions>(_chain);
        return services;
    }

    /// <summary>The indexer booked <paramref name="units"/> tGBP into the merchant's wallet on chain 31337, and a token transfer in <paramref name="tx"/>.</summary>
    private async Task IndexedAsync(ulong units, string tx)
    {
        var wallet = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Address);
        var issuance = ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, "0x4444444444444444444444444444444444444444");
        var block = new BlockRef(7, "0x" + new string('f', 64));
        var transfer = new Transfer(1, issuance.Id, wallet.Id, units, LedgerAssets.Tgbp, (ushort)ChainTransferCode.TokenMinted);
        var booked = new BookedEvent(new ChainEventKey(ChainId, "0x4444444444444444444444444444444444444444", tx, 0), 7, block.Hash, ChainEventKind.TokenTransfer, [transfer.Id]);
        (await _store.ApplyBatchAsync(new ChainBlockBatch("31337:stream", ChainId, null, block, [block], [wallet, issuance], [transfer], [booked], []))).Refusal.ShouldBeNull();
    }

    [Fact]
    public async Task AddSettlementFlows_FromConfiguration_BothSectionsBoundAndTheIndexerDefaultsResolved()
    {
        var bank = new FakeBank();
        var services = Services();
        services.AddSingleton<IBankPayments>(bank);
        services.AddSettlementFlows();
        await using var provider = services.BuildServiceProvider();

        var flowOptions = provider.GetRequiredService<IOptions<SettlementFlowOptions>>().Value;
        (flowOptions.IndexerStream, flowOptions.ResumeInterval).ShouldBe(("31337:stream", TimeSpan.FromMinutes(1)));
        var payouts = provider.GetRequiredService<IOptions<PayoutOptions>>().Value;
        (payouts.Interval, payouts.MinimumPence, payouts.FeePence, payouts.ChainId, payouts.TokenLedger).ShouldBe((TimeSpan.FromHours(6), 250L, 10L, ChainId, LedgerAssets.Tgbp));
        payouts.Merchants.ShouldHaveSingleItem().AccountName.ShouldBe("Merchant Ltd");
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
        provider.GetRequiredService<IBankPayments>().ShouldBeSameAs(bank);

        var tx = "0x" + new string('1', 64);
        await IndexedAsync(5_000_000, tx);
        (await provider.GetRequiredService<IMerchantBalances>().GetBalanceAsync(payouts.Merchants[0], default)).ShouldBe((UInt128)5_000_000);
        var confirmations = provider.GetRequiredService<IChainConfirmations>();
        confirmations.ShouldBeOfType<IndexerChainConfirmations>();
        (await confirmations.IsConfirmedAsync(tx, ChainEventKind.TokenTransfer, default)).ShouldBeTrue();
        (await provider.GetRequiredService<ChannelSettlements>().ListAsync()).ShouldBeEmpty();

        // The runner over all of them: 500p from the indexed wallet, burned on the registered chain, waiting for the indexer.
        var item = (await provider.GetRequiredService<SettlementFlows>().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();
        (item.Outcome, item.AmountPence, item.State).ShouldBe((PayoutBatchItemOutcome.Started, 500L, PayoutFlowState.BurnSubmitted));
        _chain.Transactions.ShouldHaveSingleItem().Value.ShouldBe($"burn {Address} 5000000");
        (await _store.ListAsync(FlowKind.Payout, unfinishedOnly: true)).ShouldHaveSingleItem().Id.ShouldBe(item.FlowId!.Value);

        provider.GetServices<IHostedService>().Select(s => s.GetType()).ShouldBe([typeof(FlowResumeWorker), typeof(PayoutScheduler)]);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task AddSettlementFlows_OtherSectionNames_BindsThose()
    {
        var services = Services(Settings("Custom:Flows", "Custom:Payouts"));
        services.AddSettlementFlows("Custom:Flows", "Custom:Payouts");
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<SettlementFlowOptions>>().Value.IndexerStream.ShouldBe("31337:stream");
        provider.GetRequiredService<IOptions<PayoutOptions>>().Value.MinimumPence.ShouldBe(250);
    }

    [Fact]
    public async Task AddSettlementFlows_WithDelegates_BothApplied()
    {
        var services = Services([]);
        services.AddSingleton<IBankPayments>(new FakeBank());
        services.AddSettlementFlows(f => f.IndexerStream = "1:s", p => (p.ChainId, p.FeePence) = (1, 7));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<SettlementFlowOptions>>().Value.IndexerStream.ShouldBe("1:s");
        provider.GetRequiredService<IOptions<PayoutOptions>>().Value.FeePence.ShouldBe(7);
        provider.GetServices<IHostedService>().Select(s => s.GetType()).ShouldBe([typeof(FlowResumeWorker), typeof(PayoutScheduler)]);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void AddSettlementFlows_NullArguments_ThrowNamingThem()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSettlementFlows()).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSettlementFlows(_ => { }, _ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSettlementFlows(null!, _ => { })).ParamName.ShouldBe("configureFlows");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSettlementFlows(_ => { }, null!)).ParamName.ShouldBe("configurePayouts");
    }

    [Theory]
    [InlineData("Settlement:Payouts:MinimumPence", "0",
        "DataAnnotation validation failed for 'PayoutOptions' members: 'MinimumPence' with the error: 'The field MinimumPence must be between 1 and 9223372036854775807.'.")]
    [InlineData("Settlement:Flows:IndexerStream", "",
        "DataAnnotation validation failed for 'SettlementFlowOptions' members: 'IndexerStream' with the error: 'The IndexerStream field is required.'.")]
    [InlineData("Settlement:Flows:ResumeInterval", "00:00:00.001",
        "DataAnnotation validation failed for 'SettlementFlowOptions' members: 'ResumeInterval' with the error: 'The field ResumeInterval must be between 00:00:00.0100000 and 01:00:00.'.")]
    [InlineData("Settlement:Payouts:Merchants:0:Address", "merchant",
        "DataAnnotation validation failed for 'PayoutOptions' members: 'Merchants' with the error: 'Settlement:Payouts:Merchants:0:Address 'merchant' is not an address.'.")]
    public async Task AddSettlementFlows_BadSetting_StartValidationFailsWithTheMessage(string key, string value, string message)
    {
        var settings = Settings();
        settings[key] = value;
        var services = Services(settings);
        services.AddSettlementFlows();
        await using var provider = services.BuildServiceProvider();

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Message.ShouldBe(message);
    }

    [Fact]
    public async Task AddSettlementFlows_BadDelegateOptions_StartValidationFails()
    {
        var services = Services([]);
        services.AddSettlementFlows(f => f.IndexerStream = "1:s", p => (p.ChainId, p.MinimumPence) = (1, 0));
        await using var provider = services.BuildServiceProvider();

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Message
            .ShouldBe("DataAnnotation validation failed for 'PayoutOptions' members: 'MinimumPence' with the error: 'The field MinimumPence must be between 1 and 9223372036854775807.'.");
    }

    [Fact]
    public async Task AddSettlementFlows_NoBankRegistered_TheDefaultNeedsTheOpenBankingTransferService()
    {
        var services = Services();
        services.AddSettlementFlows();
        await using var provider = services.BuildServiceProvider();

        Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IBankPayments>())
            .Message.ShouldBe("No service for type 'Settlement.OpenBanking.Transfers.TransferService' has been registered.");
    }

    [Fact]
    public async Task AddSettlementFlows_OwnClockConfirmationsAndBalancesRegisteredFirst_Kept()
    {
        var clock = new FakeTimeProvider();
        var confirmations = new FakeConfirmations();
        var balances = new FakeBalances();
        var services = Services();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IChainConfirmations>(confirmations);
        services.AddSingleton<IMerchantBalances>(balances);
        services.AddSettlementFlows();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(clock);
        provider.GetRequiredService<IChainConfirmations>().ShouldBeSameAs(confirmations);
        provider.GetRequiredService<IMerchantBalances>().ShouldBeSameAs(balances);
    }
}
