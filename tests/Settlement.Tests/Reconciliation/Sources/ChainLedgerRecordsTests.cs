using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;
using static Settlement.Service.Tests.Reconciliation.Sources.SourceData;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>
/// The records of the <c>chain-ledger</c> pairing built from given indexer events and ledger transfers: which events
/// count and in what order, the amount and time of an event, an event naming a transfer the journal lacks, and the
/// amount of an unbalanced channel settlement.
/// </summary>
public sealed class ChainLedgerRecordsTests
{
    private const string Contract = "0x4444444444444444444444444444444444444444";
    private const string Channel = "0xcccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private static readonly string FundingTx = "0x" + new string('A', 64);
    private static readonly string BurnTx = "0x" + new string('B', 64);

    private static Dictionary<string, bool> FlowTransactions() =>
        new(StringComparer.Ordinal) { [FundingTx.ToLowerInvariant()] = true, [BurnTx.ToLowerInvariant()] = false };

    [Fact]
    public void FlowEvents_TheFlowsEventsWithTransfers_OnceInChainOrder()
    {
        // Log index: item << 32 | the log's index in its block (two items of one log sort after each other, by item).
        var laterBlock = Event(FundingTx, 2, 0, 1);
        var log2 = Event(FundingTx, 1, 2, 2);
        var log1Item1 = Event(FundingTx, 1, (1UL << 32) | 1, 3);
        var log1 = Event(BurnTx, 1, 1, 4);
        var noTransfers = Event(FundingTx, 1, 5) with { TransferIds = [] };
        var otherTx = Event("0x" + new string('d', 64), 1, 0, 5);

        var events = ChainLedgerRecords.FlowEvents([laterBlock, log2, noTransfers, log1Item1, otherTx, laterBlock, log1], FlowTransactions());

        events.ShouldBe([log1, log1Item1, log2, laterBlock]);
    }

    [Fact]
    public void Chain_FundingAndBurn_SumOfTheirCodesAtTheEarliestTransfer()
    {
        var funding = Event(FundingTx, 1, 0, 11, 12, 13) with { ChannelId = Channel };
        var burn = Event(BurnTx, 2, 0, 21, 22);
        var settledOnly = Event(FundingTx, 3, 0, 31);
        var transfers = Transfers(
            Stored(11, 1, 2, 600, TimeSpan.FromHours(2), code: (ushort)ChainTransferCode.ChannelFunded),
            Stored(12, 1, 2, 400, TimeSpan.FromHours(1), code: (ushort)ChainTransferCode.ChannelToppedUp),
            Stored(13, 2, 1, 50, TimeSpan.Zero, code: (ushort)ChainTransferCode.SettledToPayee),
            Stored(21, 1, 2, 10, TimeSpan.FromHours(1), code: (ushort)ChainTransferCode.TokenTransferred),
            Stored(22, 1, 2, 300, TimeSpan.FromHours(3), code: (ushort)ChainTransferCode.TokenBurned),
            Stored(31, 2, 1, 70, TimeSpan.FromHours(4), code: (ushort)ChainTransferCode.SettledToPayer));

        var records = ChainLedgerRecords.Chain([funding, burn, settledOnly], FlowTransactions(), transfers).ToList();

        records.ShouldBe(
        [
            new ReconciliationRecord(ReconciliationSource.Chain, $"31337:{Contract}:{FundingTx}:0", FundingTx.ToLowerInvariant(), "tGBP", 1_000, T0.AddHours(1), ReconciliationKind.ChannelFunded, Channel),
            new ReconciliationRecord(ReconciliationSource.Chain, $"31337:{Contract}:{BurnTx}:0", BurnTx.ToLowerInvariant(), "tGBP", -300, T0.AddHours(3), ReconciliationKind.Payout),
        ]);
    }

    [Fact]
    public void Chain_EventNamingATransferTheJournalLacks_InvalidData()
    {
        var funding = Event(FundingTx, 1, 7, 11, 99);

        var error = Should.Throw<InvalidDataException>(() => ChainLedgerRecords.Chain(
            [funding], FlowTransactions(), Transfers(Stored(11, 1, 2, 600, TimeSpan.Zero, code: (ushort)ChainTransferCode.ChannelFunded))).ToList());

        error.Message.ShouldBe($"Indexer event 31337:{Contract}:{FundingTx}:7 names ledger transfer 99, which the journal does not hold.");
    }

    [Fact]
    public void Unbalanced_SettlementAfterAWithdrawal_PaidMinusWhatWasLeft()
    {
        var settlement = new ChannelSettlementRecord(Channel, BurnTx, 7, Deposit: 1_000, EarlierWithdrawals: 200, PayeePayout: 500, PayerRefund: 200);

        var finding = ChainLedgerRecords.Unbalanced(settlement);

        finding.ShouldBe(new SourceFinding(
            "channel-settlement-unbalanced", "channel-settlement-unbalanced:" + BurnTx, "tGBP", -100,
            $"Channel {Channel} settled in {BurnTx} (block 7): payee 500 + payer 200 is not deposit 1000 − earlier withdrawals 200."));
    }

    private static BookedEvent Event(string tx, ulong block, ulong logIndex, params ulong[] transferIds) =>
        new(new ChainEventKey(31337, Contract, tx, logIndex), block, "0x" + new string('b', 63) + block, ChainEventKind.TokenTransfer, [.. transferIds.Select(i => (UInt128)i)]);
}
