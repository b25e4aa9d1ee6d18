using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Conversion;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;

namespace Settlement.Service.IntegrationTests.Reconciliation;

/// <summary>
/// Reconciliation over the real SQLite ledger, flow store and indexer store after driving flows with the flows' fakes.
/// The bank side is the fake bank's payments as the transfer store would list them (<see cref="BankOperations"/>).
/// </summary>
public sealed class SettlementReconciliationTests : FlowTestBase
{
    private const string Stream = "31337:recon";
    private const ulong ChainId = 31337;
    private const string Contract = "0x4444444444444444444444444444444444444444";
    private const string Token = "0x5555555555555555555555555555555555555555";
    private const string Treasury = "0x6666666666666666666666666666666666666666";

    [Fact]
    public async Task RunAsync_TopupFundedAndPayoutPaid_ZeroBreaks()
    {
        var (topup, payout) = await HappyPathAsync();

        var report = await ReconcileAsync(BankOperations());

        report.BreakCount.ShouldBe(0, BreakReport.ToTable(report.Run));
        report.Findings.ShouldBeEmpty();
        var bank = Pairing(report, SettlementReconciliation.BankLedger);
        bank.Matches.Count.ShouldBe(2);
        bank.Matches.SelectMany(m => m.Left).Select(r => (r.Reference, r.Amount)).OrderBy(x => x.Amount).ShouldBe(
            [(payout.BankOperationId.ToString(), (Int128)(-1_150)), (topup.BankOperationId.ToString(), (Int128)2_500)]);
        var chain = Pairing(report, SettlementReconciliation.ChainLedger);
        chain.Matches.Count.ShouldBe(2);
        chain.Matches.SelectMany(m => m.Right).Select(r => (r.Reference, r.Amount)).OrderBy(x => x.Amount).ShouldBe(
            [(payout.Burn!.TransactionHash, (Int128)(-12_000_000)), (topup.Funding!.TransactionHash, (Int128)25_000_000)]);
    }

    [Fact]
    public async Task RunAsync_TopupReturnedAfterCredit_ReversalMatchesTheReturn_ZeroBreaks()
    {
        var request = Topup(pence: 1_200);
        var crash = Runner(async (c, _) =>
        {
            await Task.CompletedTask;
            if (c.Name == "saved:Credited")
            {
                throw new SimulatedFlowCrashException(c.Name);
            }
        });
        await Should.ThrowAsync<SimulatedFlowCrashException>(() => crash.StartTopupAsync(request));
        Clock.Advance(TimeSpan.FromHours(2));
        (await Runner().RecordBankReturnAsync(request.FlowId, "AC04 account closed")).Flow!.State.ShouldBe("Reversed");

        var report = await ReconcileAsync(BankOperations());

        report.BreakCount.ShouldBe(0, BreakReport.ToTable(report.Run));
        var bank = Pairing(report, SettlementReconciliation.BankLedger);
        bank.Matches.Count.ShouldBe(2);
        bank.Matches.SelectMany(m => m.Left).Select(r => (r.Kind, r.Amount)).OrderBy(x => x.Amount).ShouldBe(
            [(ReconciliationKind.TopupReturn, (Int128)(-1_200)), (ReconciliationKind.Topup, (Int128)1_200)]);
    }

    [Fact]
    public async Task RunAsync_BankOperationWithoutLedgerTransfer_MissingInLedgerNamingIt()
    {
        await HappyPathAsync();
        var stray = new BankOperation(Guid.Parse("0b5c8a3e-1d2f-4e6a-9b7c-8d9e0f1a2b3c"), TransferKind.Topup, TransferState.Completed, 700, "GBP", "pay-7", Clock.GetUtcNow());

        var report = await ReconcileAsync([.. BankOperations(), stray]);

        var broken = Pairing(report, SettlementReconciliation.BankLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.MissingInLedger);
        broken.Records.ShouldHaveSingleItem().Id.ShouldBe("0b5c8a3e-1d2f-4e6a-9b7c-8d9e0f1a2b3c");
        broken.Detail.ShouldContain("0b5c8a3e-1d2f-4e6a-9b7c-8d9e0f1a2b3c");
        report.BreakCount.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_LedgerTransferWhoseBankOperationIsMissing_MissingInBank()
    {
        var (topup, _) = await HappyPathAsync();

        var report = await ReconcileAsync(BankOperations().Where(o => o.OperationId != topup.BankOperationId).ToList());

        var broken = Pairing(report, SettlementReconciliation.BankLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.MissingInBank);
        var record = broken.Records.ShouldHaveSingleItem();
        record.Id.ShouldBe(FlowIds.LedgerTransfer(topup.Id, TopupSteps.Credit).ToString("x32", CultureInfo.InvariantCulture));
        record.Reference.ShouldBe(topup.BankOperationId.ToString());
        record.Amount.ShouldBe((Int128)2_500);
    }

    [Fact]
    public async Task RunAsync_AmountEditedInTheBankRecord_AmountMismatch()
    {
        var (topup, _) = await HappyPathAsync();
        var edited = BankOperations().Select(o => o.OperationId == topup.BankOperationId ? o with { AmountMinor = 2_400 } : o).ToList();

        var report = await ReconcileAsync(edited);

        var broken = Pairing(report, SettlementReconciliation.BankLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.AmountMismatch);
        broken.Difference.ShouldBe((Int128)(-100));
        broken.Records.Select(r => r.Source).OrderBy(s => s).ShouldBe([ReconciliationSource.Bank, ReconciliationSource.Ledger]);
    }

    [Fact]
    public async Task RunAsync_RejectedTopup_NoRecordsOnEitherSide()
    {
        Bank.TopupStatus = BankPaymentStatus.Rejected;
        var flow = (await Runner().StartTopupAsync(Topup(pence: 900))).Flow!;
        flow.State.ShouldBe(TopupFlowState.Rejected);
        var operations = BankOperations();
        operations.ShouldHaveSingleItem().State.ShouldBe(TransferState.Rejected);

        var report = await ReconcileAsync(operations);

        report.BreakCount.ShouldBe(0);
        foreach (var pairing in report.Run.Pairings)
        {
            pairing.Matches.ShouldBeEmpty();
            (pairing.Totals.LeftRecords, pairing.Totals.RightRecords).ShouldBe((0, 0));
        }
    }

    [Fact]
    public async Task RunAsync_DuplicateAndOutOfOrderReads_SameReport()
    {
        await HappyPathAsync();
        var operations = BankOperations();
        var expected = BreakReport.ToJson((await ReconcileAsync(operations)).Run);

        var shuffled = operations.Concat(operations).Reverse().ToList();
        var again = await ReconcileAsync(shuffled);

        BreakReport.ToJson(again.Run).ShouldBe(expected);
        again.BreakCount.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_BankClearingMovedOutsideAnyFlow_UnexplainedFindingAsMissingInBank()
    {
        await HappyPathAsync();
        var other = new Account(77, LedgerAssets.Gbp, (ushort)AccountCode.User);
        var store = Store();
        (await store.CreateAccountsAsync([other])).ShouldBe([CreateAccountResult.Ok]);
        (await store.CreateTransfersAsync([new Transfer(78, SettlementAccounts.BankClearing.Id, other.Id, 333, LedgerAssets.Gbp, 9)])).ShouldBe([CreateTransferResult.Ok]);

        var report = await ReconcileAsync(BankOperations());

        var finding = report.Findings.ShouldHaveSingleItem();
        (finding.Code, finding.Amount).ShouldBe(("bank-clearing-unexplained", (Int128)333));
        var broken = Pairing(report, SettlementReconciliation.BankLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.MissingInBank);
        broken.Records.ShouldHaveSingleItem().Id.ShouldBe("bank-clearing-unexplained");
    }

    [Fact]
    public async Task RunAsync_FundingNotBookedByTheIndexer_MissingOnChain()
    {
        var flow = (await Runner().StartTopupAsync(Topup(pence: 2_500))).Flow!;
        flow.State.ShouldBe(TopupFlowState.Funded);

        var report = await ReconcileAsync(BankOperations());

        var broken = Pairing(report, SettlementReconciliation.ChainLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.MissingOnChain);
        broken.Records.ShouldHaveSingleItem().Reference.ShouldBe(flow.Funding!.TransactionHash);
    }

    [Fact]
    public async Task RunAsync_ChainFundedLessThanTheLedgerPosted_AmountMismatch()
    {
        var flow = (await Runner().StartTopupAsync(Topup(pence: 2_500))).Flow!;
        await BookAsync([(flow.Funding!.TransactionHash, ChainEventKind.ChannelOpened, flow.Funding.ChannelId, 24_990_000UL)]);

        var report = await ReconcileAsync(BankOperations());

        var broken = Pairing(report, SettlementReconciliation.ChainLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.AmountMismatch);
        broken.Difference.ShouldBe((Int128)(-10_000));
    }

    [Fact]
    public async Task RunAsync_ChannelSettlementNotEmptyingTheEscrow_FindingAndBreak()
    {
        var channel = "0x" + new string('c', 64);
        var escrow = ChainAccounts.Escrow(ChainId, LedgerAssets.Tgbp, Contract, channel);
        var payer = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payer);
        var payee = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Payee);
        var settleTx = "0x" + new string('5', 64);
        BookedEvent Event(string tx, ulong block, ChainEventKind kind, List<Transfer> transfers, params (Account From, Account To, ulong Amount, ChainTransferCode Code)[] legs)
        {
            var key = new ChainEventKey(ChainId, Contract, tx, 0);
            var ids = new List<UInt128>();
            for (var leg = 0; leg < legs.Length; leg++)
            {
                var id = ChainTransferIds.ForEvent(ChainId, Contract, tx, 0, B(block).Hash, 0, leg);
                transfers.Add(new Transfer(id, legs[leg].From.Id, legs[leg].To.Id, legs[leg].Amount, LedgerAssets.Tgbp, (ushort)legs[leg].Code));
                ids.Add(id);
            }

            return new BookedEvent(key, block, B(block).Hash, kind, ids, ChannelId: channel);
        }

        var transfers = new List<Transfer>();
        var events = new List<BookedEvent>
        {
            Event("0x" + new string('1', 64), 1, ChainEventKind.ChannelOpened, transfers, (payer, escrow, 1_000, ChainTransferCode.ChannelFunded)),
            Event(settleTx, 2, ChainEventKind.ChannelSettled, transfers,
                (escrow, payer, 100, ChainTransferCode.SettledToPayer), (escrow, payee, 800, ChainTransferCode.SettledToPayee)),
        };
        (await Store().ApplyBatchAsync(new ChainBlockBatch(Stream, ChainId, null, B(2), [B(1), B(2)], [escrow, payer, payee], transfers, events,
            [new IndexedChannel(channel, Payer, Payee, Token, 1)]))).Refusal.ShouldBeNull();

        var report = await ReconcileAsync([]);

        var finding = report.Findings.ShouldHaveSingleItem();
        (finding.Code, finding.Asset, finding.Amount).ShouldBe(("channel-settlement-unbalanced", "tGBP", (Int128)(-100)));
        finding.Detail.ShouldContain(settleTx);
        var broken = Pairing(report, SettlementReconciliation.ChainLedger).Breaks.ShouldHaveSingleItem();
        broken.Reason.ShouldBe(BreakReason.MissingInLedger);
        broken.Records.ShouldHaveSingleItem().Id.ShouldBe("channel-settlement-unbalanced:" + settleTx);
    }

    [Fact]
    public async Task AddSettlementReconciliation_ResolvesOverTheRegisteredStores_SameResult()
    {
        await HappyPathAsync();
        var operations = BankOperations();
        var services = new ServiceCollection()
            .AddSingleton<ILedgerStore>(Store()).AddSingleton<IFlowStore>(Store()).AddSingleton<IChainIndexStore>(Store())
            .AddSingleton<IBankOperationSource>(new ListedBankOperations(operations))
            .AddSettlementReconciliation(o => o.Stream = Stream);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<SettlementReconciliation>().RunAsync();

        BreakReport.ToJson(report.Run).ShouldBe(BreakReport.ToJson((await ReconcileAsync(operations)).Run));
        report.BreakCount.ShouldBe(0);
    }

    private async Task<(TopupFlow Topup, PayoutFlow Payout)> HappyPathAsync()
    {
        var topup = (await Runner().StartTopupAsync(Topup(pence: 2_500))).Flow!;
        topup.State.ShouldBe(TopupFlowState.Funded);
        Clock.Advance(TimeSpan.FromHours(1));
        Balances.Units[MerchantId] = 12_000_000;
        var item = (await Runner().RunPayoutBatchAsync()).Items.ShouldHaveSingleItem();
        var payout = (await Runner().GetPayoutAsync(item.FlowId!.Value))!;
        payout.State.ShouldBe(PayoutFlowState.Paid);
        await BookAsync(
        [
            (topup.Funding!.TransactionHash, ChainEventKind.ChannelOpened, topup.Funding.ChannelId, (ulong)StablecoinRate.ToBaseUnits(2_500)),
            (payout.Burn!.TransactionHash, ChainEventKind.TokenTransfer, null, 12_000_000UL),
        ]);
        return (topup, payout);
    }

    /// <summary>The fake bank's payments as the transfer store lists them: completed ones Completed, the others as they stand.</summary>
    private List<BankOperation> BankOperations() =>
        Bank.Payments.OrderBy(p => p.OperationId).Select(p => new BankOperation(
            p.OperationId, p.Kind == "topup" ? TransferKind.Topup : TransferKind.Payout,
            p.Status switch
            {
                BankPaymentStatus.Completed => TransferState.Completed,
                BankPaymentStatus.Rejected => TransferState.Rejected,
                BankPaymentStatus.Failed => TransferState.Failed,
                _ => TransferState.PaymentSubmitted,
            },
            p.AmountPence, "GBP", "pay-" + p.OperationId.ToString("N")[..8], Clock.GetUtcNow())).ToList();

    private Task<SettlementReconciliationReport> ReconcileAsync(IReadOnlyList<BankOperation> operations)
    {
        var store = Store();
        return new SettlementReconciliation(store, store, store, new ListedBankOperations(operations), new SettlementReconciliationOptions { Stream = Stream }).RunAsync();
    }

    private static ReconciliationResult Pairing(SettlementReconciliationReport report, string name) =>
        report.Run.Pairings.Single(p => p.Pairing.Name == name);

    private static BlockRef B(ulong n) => new(n, "0x" + new string('b', 62) + n.ToString("x2", CultureInfo.InvariantCulture));

    /// <summary>Books one event per transaction as the indexer would: a channel opened by the treasury, or a burn by the merchant.</summary>
    private async Task BookAsync(IReadOnlyList<(string Tx, ChainEventKind Kind, string? Channel, ulong Units)> txs)
    {
        var treasury = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Treasury);
        var merchant = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, MerchantAddress);
        var issuance = ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, Token);
        var accounts = new List<Account> { treasury, merchant, issuance };
        var transfers = new List<Transfer>();
        var events = new List<BookedEvent>();
        var channels = new List<IndexedChannel>();
        var blocks = new List<BlockRef>();
        for (var i = 0; i < txs.Count; i++)
        {
            var (tx, kind, channel, units) = txs[i];
            var block = B((ulong)i + 1);
            blocks.Add(block);
            var key = new ChainEventKey(ChainId, kind == ChainEventKind.TokenTransfer ? Token : Contract, tx, 0);
            var id = ChainTransferIds.ForEvent(ChainId, key.Contract, tx, 0, block.Hash, 0, 0);
            if (kind == ChainEventKind.TokenTransfer)
            {
                transfers.Add(new Transfer(id, merchant.Id, issuance.Id, units, LedgerAssets.Tgbp, (ushort)ChainTransferCode.TokenBurned));
            }
            else
            {
                var escrow = ChainAccounts.Escrow(ChainId, LedgerAssets.Tgbp, Contract, channel!);
                accounts.Add(escrow);
                transfers.Add(new Transfer(id, treasury.Id, escrow.Id, units, LedgerAssets.Tgbp, (ushort)ChainTransferCode.ChannelFunded));
                channels.Add(new IndexedChannel(channel!, Payer, Payee, Token, block.Number));
            }

            events.Add(new BookedEvent(key, block.Number, block.Hash, kind, [id], ChannelId: channel));
        }

        var result = await Store().ApplyBatchAsync(new ChainBlockBatch(Stream, ChainId, null, blocks[^1], blocks, accounts, transfers, events, channels));
        result.Refusal.ShouldBeNull(result.Detail);
    }
}
