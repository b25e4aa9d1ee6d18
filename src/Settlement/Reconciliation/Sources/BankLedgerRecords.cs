using System.Globalization;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// The records of the <c>bank-ledger</c> pairing (GBP, pence; + money into the platform's bank account, − out).
/// Bank: completed operations of the transfer store and the returns the flows recorded. Ledger: the flows' transfers
/// that touch <see cref="SettlementAccounts.BankClearing"/>, looked up by their deterministic ids, plus the part of the
/// account's posted movement they do not explain.
/// </summary>
internal static class BankLedgerRecords
{
    public const string Asset = "GBP";
    public const string UnexplainedId = "bank-clearing-unexplained";

    public static IEnumerable<ReconciliationRecord> Bank(IReadOnlyList<BankOperation> operations, StoredFlows flows)
    {
        // An operation read twice counts once: its newest read; of two at one time the further state (status only moves forward).
        foreach (var op in operations.GroupBy(o => o.OperationId).Select(g => g.OrderByDescending(o => o.UpdatedAt).ThenByDescending(o => o.State).First()).OrderBy(o => o.OperationId))
        {
            if (op.State != TransferState.Completed || !string.Equals(op.Currency, Asset, StringComparison.Ordinal))
            {
                continue;
            }

            var topup = op.Kind == TransferKind.Topup;
            yield return new ReconciliationRecord(
                ReconciliationSource.Bank, Reference(op.OperationId), Reference(op.OperationId), Asset, topup ? op.AmountMinor : -op.AmountMinor, op.UpdatedAt,
                topup ? ReconciliationKind.Topup : ReconciliationKind.Payout, op.PaymentId);
        }

        foreach (var t in flows.Topups.Where(t => t.Return is not null))
        {
            yield return new ReconciliationRecord(
                ReconciliationSource.Bank, Reference(t.BankOperationId) + ":return", Reference(t.BankOperationId), Asset, -t.Request.AmountPence, t.Return!.RecordedAt,
                ReconciliationKind.TopupReturn, t.Return.Reason);
        }

        foreach (var p in flows.Payouts.Where(p => p.Return is not null))
        {
            yield return new ReconciliationRecord(
                ReconciliationSource.Bank, Reference(p.BankOperationId) + ":return", Reference(p.BankOperationId), Asset, p.Order.NetPence, p.Return!.RecordedAt,
                ReconciliationKind.PayoutReturn, p.Return.Reason);
        }
    }

    /// <summary>The deterministic ids to look up: each flow's credit/reversal, payout reservation/post/reversal.</summary>
    public static IEnumerable<UInt128> TransferIds(StoredFlows flows)
    {
        foreach (var t in flows.Topups)
        {
            yield return FlowIds.LedgerTransfer(t.Id, TopupSteps.Credit);
            yield return FlowIds.LedgerTransfer(t.Id, TopupSteps.Reversal);
        }

        foreach (var p in flows.Payouts)
        {
            yield return FlowIds.LedgerTransfer(p.Id, PayoutSteps.Reserve);
            yield return FlowIds.LedgerTransfer(p.Id, PayoutSteps.Post);
            yield return FlowIds.LedgerTransfer(p.Id, PayoutSteps.Reversal);
        }
    }

    public static List<ReconciliationRecord> Ledger(StoredFlows flows, IReadOnlyDictionary<UInt128, StoredTransfer> transfers)
    {
        var records = new List<ReconciliationRecord>();
        foreach (var t in flows.Topups)
        {
            Add(records, transfers, FlowIds.LedgerTransfer(t.Id, TopupSteps.Credit), null, t.BankOperationId, ReconciliationKind.Topup);
            Add(records, transfers, FlowIds.LedgerTransfer(t.Id, TopupSteps.Reversal), null, t.BankOperationId, ReconciliationKind.TopupReturn);
        }

        foreach (var p in flows.Payouts)
        {
            // The post moves what it names, or (amount 0) the whole reservation; a voided reservation moved nothing.
            var reserve = transfers.GetValueOrDefault(FlowIds.LedgerTransfer(p.Id, PayoutSteps.Reserve));
            Add(records, transfers, FlowIds.LedgerTransfer(p.Id, PayoutSteps.Post), reserve, p.BankOperationId, ReconciliationKind.Payout);
            Add(records, transfers, FlowIds.LedgerTransfer(p.Id, PayoutSteps.Reversal), null, p.BankOperationId, ReconciliationKind.PayoutReturn);
        }

        return records;
    }

    /// <summary>
    /// The completeness check: the account's posted movement (debits − credits: money in − money out) minus what the
    /// flows' records explain. Zero when every posted movement of the account belongs to a flow.
    /// </summary>
    public static SourceFinding? Unexplained(AccountBalances? clearing, IReadOnlyList<ReconciliationRecord> ledger)
    {
        var posted = clearing is null ? Int128.Zero : (Int128)clearing.DebitsPosted - (Int128)clearing.CreditsPosted;
        var explained = ledger.Aggregate(Int128.Zero, (s, r) => s + r.Amount);
        var difference = posted - explained;
        return difference == Int128.Zero
            ? null
            : new SourceFinding(
                UnexplainedId, UnexplainedId, Asset, difference,
                string.Create(CultureInfo.InvariantCulture, $"Bank clearing moved {posted} GBP (posted debits − credits) but the flows' transfers explain {explained}: {difference} unexplained."));
    }

    public static ReconciliationRecord Record(SourceFinding finding, DateTimeOffset at) =>
        new(ReconciliationSource.Ledger, finding.RecordId, null, Asset, finding.Amount, at, ReconciliationKind.Other, finding.Detail);

    public static string Reference(Guid operationId) => operationId.ToString("D");

    private static void Add(
        List<ReconciliationRecord> records, IReadOnlyDictionary<UInt128, StoredTransfer> transfers, UInt128 id, StoredTransfer? pending, Guid operationId, ReconciliationKind kind)
    {
        if (!transfers.TryGetValue(id, out var stored))
        {
            return;
        }

        var t = stored.Transfer;
        var amount = t.Flags.HasFlag(TransferFlags.PostPending) && t.Amount == UInt128.Zero ? pending?.Transfer.Amount ?? UInt128.Zero : t.Amount;
        var debitAccount = t.DebitAccountId != UInt128.Zero ? t.DebitAccountId : pending?.Transfer.DebitAccountId ?? UInt128.Zero;
        var creditAccount = t.CreditAccountId != UInt128.Zero ? t.CreditAccountId : pending?.Transfer.CreditAccountId ?? UInt128.Zero;
        var clearing = SettlementAccounts.BankClearing.Id;
        Int128 signed = debitAccount == clearing ? checked((Int128)amount) : creditAccount == clearing ? -checked((Int128)amount) : Int128.Zero;
        if (signed == Int128.Zero || t.Flags.HasFlag(TransferFlags.Pending) || t.Flags.HasFlag(TransferFlags.VoidPending))
        {
            return;
        }

        records.Add(new ReconciliationRecord(ReconciliationSource.Ledger, Hex(t.Id), Reference(operationId), Asset, signed, stored.CreatedAt, kind));
    }

    internal static string Hex(UInt128 id) => id.ToString("x32", CultureInfo.InvariantCulture);
}
