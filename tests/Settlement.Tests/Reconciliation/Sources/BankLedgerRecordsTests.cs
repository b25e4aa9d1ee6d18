using System.Globalization;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;
using static Settlement.Service.Tests.Reconciliation.Sources.SourceData;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>
/// The records of the <c>bank-ledger</c> pairing built from given operations, flows and ledger transfers (expected
/// records written out field by field): which operations count, once, in id order; the flows' returns; which ledger
/// transfers move BankClearing and by how much, a payout post taking amount and accounts from its reservation.
/// </summary>
public sealed class BankLedgerRecordsTests
{
    private static readonly Guid A = Guid.Parse("0000000a-0000-0000-0000-000000000000");
    private static readonly Guid B = Guid.Parse("0000000b-0000-0000-0000-000000000000");
    private static readonly Guid C = Guid.Parse("0000000c-0000-0000-0000-000000000000");
    private static readonly Guid D = Guid.Parse("0000000d-0000-0000-0000-000000000000");
    private static readonly StoredFlows NoFlows = new([], []);

    [Fact]
    public void Bank_CompletedGbpOperationsOnly_InIdOrderSignedByKind()
    {
        BankOperation[] operations =
        [
            new(C, TransferKind.Payout, TransferState.Completed, 1_150, "GBP", "pay-c", T0.AddHours(1)),
            new(B, TransferKind.Topup, TransferState.Completed, 300, "EUR", "pay-b", T0),
            new(A, TransferKind.Topup, TransferState.Completed, 2_500, "GBP", "pay-a", T0),
            new(D, TransferKind.Topup, TransferState.PaymentSubmitted, 900, "GBP", null, T0),
        ];

        var records = BankLedgerRecords.Bank(operations, NoFlows).ToList();

        records.ShouldBe(
        [
            new ReconciliationRecord(ReconciliationSource.Bank, "0000000a-0000-0000-0000-000000000000", "0000000a-0000-0000-0000-000000000000", "GBP", 2_500, T0, ReconciliationKind.Topup, "pay-a"),
            new ReconciliationRecord(ReconciliationSource.Bank, "0000000c-0000-0000-0000-000000000000", "0000000c-0000-0000-0000-000000000000", "GBP", -1_150, T0.AddHours(1), ReconciliationKind.Payout, "pay-c"),
        ]);
    }

    [Fact]
    public void Bank_OperationReadTwice_TheNewestReadCountsOnce()
    {
        var submitted = new BankOperation(A, TransferKind.Payout, TransferState.PaymentSubmitted, 1_150, "GBP", null, T0);
        var completed = submitted with { State = TransferState.Completed, PaymentId = "pay-a", UpdatedAt = T0.AddHours(1) };

        foreach (var reads in new[] { new[] { completed, submitted }, [submitted, completed], [completed, completed] })
        {
            var record = BankLedgerRecords.Bank(reads, NoFlows).ShouldHaveSingleItem();

            (record.Amount, record.At, record.Counterparty).ShouldBe(((Int128)(-1_150), T0.AddHours(1), (string?)"pay-a"));
        }

        BankLedgerRecords.Bank([submitted with { UpdatedAt = T0.AddHours(2) }, completed], NoFlows).ShouldBeEmpty();
    }

    [Fact]
    public void Bank_TwoReadsWithOneUpdateTime_TheFurtherStateCounts()
    {
        // A status only moves forward, so of two writes in one clock tick the further state is the later one.
        var submitted = new BankOperation(A, TransferKind.Topup, TransferState.PaymentSubmitted, 2_500, "GBP", null, T0);
        var completed = submitted with { State = TransferState.Completed, PaymentId = "pay-a" };

        BankLedgerRecords.Bank([submitted, completed], NoFlows).ShouldHaveSingleItem().Counterparty.ShouldBe("pay-a");
        BankLedgerRecords.Bank([completed, submitted], NoFlows).ShouldHaveSingleItem().Counterparty.ShouldBe("pay-a");
    }

    [Fact]
    public void Bank_ReturnsTheFlowsRecorded_TopupOutPayoutNetBackIn()
    {
        var topup = Topup(A, 1_200, TopupFlowState.Reversed, bankReturn: new BankReturn("AC04 account closed", T0.AddHours(3)));
        var payout = Payout(B, 1_200, 50, PayoutFlowState.Returned, bankReturn: new BankReturn("AC01 wrong account", T0.AddHours(4)));
        var flows = new StoredFlows([topup, Topup(C, 500)], [payout, Payout(D, 800, 50)]);
        var topupOperation = topup.BankOperationId.ToString();
        var payoutOperation = payout.BankOperationId.ToString();

        var records = BankLedgerRecords.Bank([], flows).ToList();

        records.ShouldBe(
        [
            new ReconciliationRecord(ReconciliationSource.Bank, topupOperation + ":return", topupOperation, "GBP", -1_200, T0.AddHours(3), ReconciliationKind.TopupReturn, "AC04 account closed"),
            new ReconciliationRecord(ReconciliationSource.Bank, payoutOperation + ":return", payoutOperation, "GBP", 1_150, T0.AddHours(4), ReconciliationKind.PayoutReturn, "AC01 wrong account"),
        ]);
    }

    [Fact]
    public void TransferIds_EachFlowsStepsInOrder()
    {
        var flows = new StoredFlows([Topup(A, 100)], [Payout(B, 200, 50)]);

        BankLedgerRecords.TransferIds(flows).ShouldBe(
        [
            FlowIds.LedgerTransfer(A, "credit"), FlowIds.LedgerTransfer(A, "return-reversal"),
            FlowIds.LedgerTransfer(B, "payout-reserve"), FlowIds.LedgerTransfer(B, "payout-post"), FlowIds.LedgerTransfer(B, "return-reversal"),
        ]);
    }

    [Fact]
    public void Ledger_TopupCreditAndReversal_InAndOutOfBankClearing()
    {
        var topup = Topup(A, 1_200, TopupFlowState.Reversed);
        var credit = FlowIds.LedgerTransfer(A, "credit");
        var reversal = FlowIds.LedgerTransfer(A, "return-reversal");

        var records = BankLedgerRecords.Ledger(
            new StoredFlows([topup], []),
            Transfers(Stored(credit, Clearing, Other, 1_200, TimeSpan.FromHours(1)), Stored(reversal, Other, Clearing, 1_200, TimeSpan.FromHours(3))));

        records.ShouldBe(
        [
            Ledger(credit, topup.BankOperationId, 1_200, TimeSpan.FromHours(1), ReconciliationKind.Topup),
            Ledger(reversal, topup.BankOperationId, -1_200, TimeSpan.FromHours(3), ReconciliationKind.TopupReturn),
        ]);
    }

    [Fact]
    public void Ledger_PayoutPostOfAmountZeroWithoutAccounts_TakesBothFromTheReservation()
    {
        var payout = Payout(B, 1_200, 50, PayoutFlowState.Returned);
        var reserve = FlowIds.LedgerTransfer(B, "payout-reserve");
        var post = FlowIds.LedgerTransfer(B, "payout-post");
        var reversal = FlowIds.LedgerTransfer(B, "return-reversal");

        var records = BankLedgerRecords.Ledger(
            new StoredFlows([], [payout]),
            Transfers(
                Stored(reserve, Other, Clearing, 1_150, TimeSpan.FromHours(1), TransferFlags.Pending),
                Stored(post, 0, 0, 0, TimeSpan.FromHours(2), TransferFlags.PostPending),
                Stored(reversal, Clearing, Other, 1_150, TimeSpan.FromHours(5))));

        records.ShouldBe(
        [
            Ledger(post, payout.BankOperationId, -1_150, TimeSpan.FromHours(2), ReconciliationKind.Payout),
            Ledger(reversal, payout.BankOperationId, 1_150, TimeSpan.FromHours(5), ReconciliationKind.PayoutReturn),
        ]);
    }

    [Theory]
    [InlineData(true, 1_150, 1_000, -1_000)] // a post of less than its reservation moves what it names
    [InlineData(false, 500, 0, 500)] // a post without accounts of a reservation debiting BankClearing: money in
    public void Ledger_PayoutPost_MovesWhatItNamesElseWhatItsReservationNamed(bool reservationCreditsClearing, ulong reserved, ulong posted, long expected)
    {
        // posted 0: the post names neither amount nor accounts, so both come from the reservation.
        var payout = Payout(B, 1_200, 50);
        var reserve = FlowIds.LedgerTransfer(B, "payout-reserve");
        var post = FlowIds.LedgerTransfer(B, "payout-post");
        UInt128 debit = reservationCreditsClearing ? Other : Clearing;
        UInt128 credit = reservationCreditsClearing ? Clearing : Other;

        var records = BankLedgerRecords.Ledger(
            new StoredFlows([], [payout]),
            Transfers(
                Stored(reserve, debit, credit, reserved, TimeSpan.FromHours(1), TransferFlags.Pending),
                Stored(post, posted == 0 ? 0 : debit, posted == 0 ? 0 : credit, posted, TimeSpan.FromHours(2), TransferFlags.PostPending)));

        records.ShouldBe([Ledger(post, payout.BankOperationId, expected, TimeSpan.FromHours(2), ReconciliationKind.Payout)]);
    }

    [Fact]
    public void Ledger_NoMovementOfBankClearing_NoRecords()
    {
        var topupOther = Topup(A, 1_200);
        var topupPending = Topup(C, 700);
        var voided = Payout(B, 1_200, 50, PayoutFlowState.BankRejected);
        var unreserved = Payout(D, 900, 50);

        var records = BankLedgerRecords.Ledger(
            new StoredFlows([topupOther, topupPending], [voided, unreserved]),
            Transfers(
                Stored(FlowIds.LedgerTransfer(A, "credit"), Other, Other + 1, 1_200, TimeSpan.Zero),
                Stored(FlowIds.LedgerTransfer(C, "credit"), Clearing, Other, 700, TimeSpan.Zero, TransferFlags.Pending),
                Stored(FlowIds.LedgerTransfer(B, "payout-reserve"), Other, Clearing, 1_150, TimeSpan.Zero, TransferFlags.Pending),
                Stored(FlowIds.LedgerTransfer(B, "payout-post"), Other, Clearing, 1_150, TimeSpan.Zero, TransferFlags.VoidPending),
                Stored(FlowIds.LedgerTransfer(D, "payout-post"), 0, 0, 0, TimeSpan.Zero, TransferFlags.PostPending)));

        records.ShouldBeEmpty();
    }

    private static ReconciliationRecord Ledger(UInt128 id, Guid operation, long amount, TimeSpan at, ReconciliationKind kind) =>
        new(ReconciliationSource.Ledger, id.ToString("x32", CultureInfo.InvariantCulture), operation.ToString(), "GBP", amount, T0 + at, kind);
}
