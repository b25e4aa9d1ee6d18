using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.IntegrationTests.Indexer;
using Settlement.Service.IntegrationTests.Reconciliation;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>
/// <see cref="SettlementReconciliation"/> over the in-memory stores: its argument checks, the DI default bank source,
/// the time of an unbalanced settlement's record (the earliest ledger time of that settlement's transfers, not of other
/// settlements'), and the break count over both pairings.
/// </summary>
public sealed class SettlementReconciliationRunTests : FlowTestBase
{
    private const string Stream = "31337:recon";
    private const ulong ChainId = 31337;
    private const string Contract = "0x4444444444444444444444444444444444444444";

    public static TheoryData<int, string> NullArguments => new()
    {
        { 0, "ledger" }, { 1, "flows" }, { 2, "index" }, { 3, "bank" }, { 4, "options" },
    };

    [Theory]
    [MemberData(nameof(NullArguments))]
    public void Constructor_NullArgument_ArgumentNullExceptionNamingIt(int which, string name)
    {
        var store = Store();
        var bank = new ListedBankOperations([]);
        var options = new SettlementReconciliationOptions { Stream = Stream };

        var error = Should.Throw<ArgumentNullException>(() => new SettlementReconciliation(
            which == 0 ? null! : store, which == 1 ? null! : store, which == 2 ? null! : store, which == 3 ? null! : bank, which == 4 ? null! : options));

        error.ParamName.ShouldBe(name);
    }

    [Fact]
    public void Constructor_NoStream_RefusedNamingIt()
    {
        var store = Store();

        var error = Should.Throw<ArgumentException>(() => new SettlementReconciliation(store, store, store, new ListedBankOperations([]), new SettlementReconciliationOptions { Stream = "" }));

        error.ParamName.ShouldBe("Stream");
    }

    [Fact]
    public void AddSettlementReconciliation_NullArguments_ArgumentNullException()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSettlementReconciliation(o => o.Stream = Stream)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSettlementReconciliation(null!)).ParamName.ShouldBe("configure");
    }

    [Fact]
    public async Task AddSettlementReconciliation_NoBankSourceRegistered_DefaultsToTheTransferService()
    {
        var services = new ServiceCollection().AddSettlementReconciliation(o => o.Stream = Stream);
        await using var provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(IBankOperationSource)).ShouldBe(1);
        var error = Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IBankOperationSource>());
        error.Message.ShouldContain(typeof(TransferService).FullName!);
    }

    [Fact]
    public async Task RunAsync_UnbalancedSettlementAfterAnotherSettlement_TimedByItsOwnEarliestTransfer_BreaksOfBothPairingsCounted()
    {
        var payer = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer);
        var payee = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payee);

        // At T0 a channel opened and settled in balance; an hour later another opened and settled short by 100.
        var balanced = Channel('1');
        await BookAsync(
            [payer, payee, balanced.Escrow],
            Event(Tx('1'), 1, ChainEventKind.ChannelOpened, balanced.Id, (payer, balanced.Escrow, 1_000, ChainTransferCode.ChannelFunded)),
            Event(Tx('2'), 2, ChainEventKind.ChannelSettled, balanced.Id,
                (balanced.Escrow, payer, 200, ChainTransferCode.SettledToPayer), (balanced.Escrow, payee, 800, ChainTransferCode.SettledToPayee)));
        Clock.Advance(TimeSpan.FromHours(1));
        var shortChannel = Channel('2');
        var settle = Event(Tx('4'), 4, ChainEventKind.ChannelSettled, shortChannel.Id,
            (shortChannel.Escrow, payer, 100, ChainTransferCode.SettledToPayer), (shortChannel.Escrow, payee, 800, ChainTransferCode.SettledToPayee));
        var late = (UInt128)0x1a7e;
        await BookAsync(
            [shortChannel.Escrow],
            Event(Tx('3'), 3, ChainEventKind.ChannelOpened, shortChannel.Id, (payer, shortChannel.Escrow, 1_000, ChainTransferCode.ChannelFunded)),
            (settle.Event with { TransferIds = [.. settle.Event.TransferIds, late] }, settle.Transfers));

        // A leg of the settlement the ledger booked later still (a code the settlement does not count).
        Clock.Advance(TimeSpan.FromHours(1));
        (await Store().CreateTransfersAsync([new Transfer(late, shortChannel.Escrow.Id, payee.Id, 1, LedgerAssets.Tgbp, (ushort)ChainTransferCode.TokenTransferred)]))
            .ShouldBe([CreateTransferResult.Ok]);
        var stray = new BankOperation(Guid.Parse("0b5c8a3e-1d2f-4e6a-9b7c-8d9e0f1a2b3c"), TransferKind.Topup, TransferState.Completed, 700, "GBP", "pay-7", Clock.GetUtcNow());

        var store = Store();
        var report = await new SettlementReconciliation(store, store, store, new ListedBankOperations([stray]), new SettlementReconciliationOptions { Stream = Stream }).RunAsync();

        var finding = report.Findings.ShouldHaveSingleItem();
        (finding.RecordId, finding.Amount).ShouldBe(("channel-settlement-unbalanced:" + Tx('4'), (Int128)(-100)));
        var chain = report.Run.Pairings.Single(p => p.Pairing.Name == SettlementReconciliation.ChainLedger).Breaks.ShouldHaveSingleItem();
        var record = chain.Records.ShouldHaveSingleItem();
        (record.Id, record.At, record.Counterparty).ShouldBe(("channel-settlement-unbalanced:" + Tx('4'), T0.AddHours(1), (string?)shortChannel.Id));
        report.Run.Pairings.Single(p => p.Pairing.Name == SettlementReconciliation.BankLedger).Breaks.ShouldHaveSingleItem().Reason.ShouldBe(BreakReason.MissingInLedger);
        report.BreakCount.ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_SettlementBookedBetweenTheTwoEventReads_RecordAtTheUnixEpoch()
    {
        // The run reads the events, then the settlements read them again: a settlement the indexer booked in between has
        // no event in the first read, so no ledger time (the Unix epoch stands for "unknown").
        var payer = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer);
        var payee = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payee);
        var channel = Channel('5');
        var settle = Event(Tx('6'), 2, ChainEventKind.ChannelSettled, channel.Id, (channel.Escrow, payee, 700, ChainTransferCode.SettledToPayee));
        await BookAsync(
            [payer, payee, channel.Escrow],
            Event(Tx('5'), 1, ChainEventKind.ChannelOpened, channel.Id, (payer, channel.Escrow, 1_000, ChainTransferCode.ChannelFunded)),
            settle);
        var store = Store();
        var index = new EventsHiddenFromTheFirstRead(store, settle.Event);

        var report = await new SettlementReconciliation(store, store, index, new ListedBankOperations([]), new SettlementReconciliationOptions { Stream = Stream }).RunAsync();

        report.Findings.ShouldHaveSingleItem().Amount.ShouldBe((Int128)(-300));
        var record = report.Run.Pairings.Single(p => p.Pairing.Name == SettlementReconciliation.ChainLedger).Breaks.ShouldHaveSingleItem().Records.ShouldHaveSingleItem();
        (record.Id, record.At).ShouldBe(("channel-settlement-unbalanced:" + Tx('6'), DateTimeOffset.UnixEpoch));
    }

    private static string Tx(char c) => "0x" + new string(c, 64);

    private static BlockRef B(ulong n) => new(n, "0x" + new string('b', 62) + n.ToString("x2", CultureInfo.InvariantCulture));

    private static (string Id, Account Escrow) Channel(char c)
    {
        var id = "0x" + new string(c, 64);
        return (id, ChainAccounts.Escrow(ChainId, LedgerAssets.Tgbp, Contract, id));
    }

    private static (BookedEvent Event, List<Transfer> Transfers) Event(
        string tx, ulong block, ChainEventKind kind, string channel, params (Account From, Account To, ulong Amount, ChainTransferCode Code)[] legs)
    {
        var transfers = new List<Transfer>();
        for (var leg = 0; leg < legs.Length; leg++)
        {
            var id = ChainTransferIds.ForEvent(ChainId, Contract, tx, 0, B(block).Hash, 0, leg);
            transfers.Add(new Transfer(id, legs[leg].From.Id, legs[leg].To.Id, legs[leg].Amount, LedgerAssets.Tgbp, (ushort)legs[leg].Code));
        }

        return (new BookedEvent(new ChainEventKey(ChainId, Contract, tx, 0), block, B(block).Hash, kind, [.. transfers.Select(t => t.Id)], ChannelId: channel), transfers);
    }

    private async Task BookAsync(List<Account> accounts, params (BookedEvent Event, List<Transfer> Transfers)[] events)
    {
        var blocks = events.Select(e => B(e.Event.BlockNumber)).ToList();
        var result = await Store().ApplyBatchAsync(new ChainBlockBatch(
            Stream, ChainId, null, blocks[^1], blocks, accounts, [.. events.SelectMany(e => e.Transfers)], [.. events.Select(e => e.Event)],
            [.. events.Where(e => e.Event.Kind == ChainEventKind.ChannelOpened).Select(e => new IndexedChannel(e.Event.ChannelId!, Payer, Payee, Contract, e.Event.BlockNumber))]));
        result.Refusal.ShouldBeNull(result.Detail);
    }
}

/// <summary>An index store whose first event read lacks one event (booked just after it); everything else passes through.</summary>
internal sealed class EventsHiddenFromTheFirstRead(IChainIndexStore inner, BookedEvent hidden) : DelegatingChainIndexStore(inner)
{
    private int _reads;

    public override async Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default)
    {
        var events = await base.ListEventsAsync(stream, cancellationToken);
        return Interlocked.Increment(ref _reads) == 1 ? [.. events.Where(e => e.Key != hidden.Key)] : events;
    }
}
