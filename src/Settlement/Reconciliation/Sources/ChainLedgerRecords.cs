using System.Globalization;
using Settlement.Service.Conversion;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// The records of the <c>chain-ledger</c> pairing (tGBP, base units; + into a channel funded by a flow, − burned by a
/// payout), keyed by transaction hash. Chain: the indexer's booked events of the flows' funding and burn transactions,
/// amounts from the tGBP transfers the indexer booked for them. Ledger: the flows' posted funding and payout burns
/// (GBP) converted with <see cref="StablecoinRate"/>. Plus one chain record per unbalanced channel settlement.
/// </summary>
internal static class ChainLedgerRecords
{
    public const string Asset = "tGBP";
    public const string UnbalancedCode = "channel-settlement-unbalanced";

    /// <summary>The flows' transactions: funding (money into a channel, +) and burns (−), by lower-case hash.</summary>
    public static Dictionary<string, bool> FlowTransactions(StoredFlows flows)
    {
        var hashes = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var t in flows.Topups.Where(t => t.Funding is not null))
        {
            hashes[t.Funding!.TransactionHash.ToLowerInvariant()] = true;
        }

        foreach (var p in flows.Payouts.Where(p => p.Burn is not null))
        {
            hashes[p.Burn!.TransactionHash.ToLowerInvariant()] = false;
        }

        return hashes;
    }

    /// <summary>The flows' events among the booked ones (each event key once, in chain order).</summary>
    public static List<BookedEvent> FlowEvents(IReadOnlyList<BookedEvent> events, Dictionary<string, bool> transactions) =>
        events.Where(e => transactions.ContainsKey(e.Key.TransactionHash.ToLowerInvariant()) && e.TransferIds.Count > 0)
            .GroupBy(e => e.Key).Select(g => g.First())
            .OrderBy(e => e.BlockNumber).ThenBy(e => e.Key.LogIndex & ChainEventKey.LogIndexMask).ThenBy(e => e.Key.LogIndex).ToList();

    public static IEnumerable<ReconciliationRecord> Chain(
        List<BookedEvent> events, Dictionary<string, bool> transactions, IReadOnlyDictionary<UInt128, StoredTransfer> transfers)
    {
        foreach (var e in events)
        {
            var hash = e.Key.TransactionHash.ToLowerInvariant();
            var funding = transactions[hash];
            var (codes, kind) = funding
                ? (new[] { ChainTransferCode.ChannelFunded, ChainTransferCode.ChannelToppedUp }, ReconciliationKind.ChannelFunded)
                : (new[] { ChainTransferCode.TokenBurned }, ReconciliationKind.Payout);
            var amount = UInt128.Zero;
            DateTimeOffset? at = null;
            foreach (var id in e.TransferIds)
            {
                if (!transfers.TryGetValue(id, out var stored))
                {
                    throw new InvalidDataException($"Indexer event {e.Key} names ledger transfer {id}, which the journal does not hold.");
                }

                if (codes.Contains((ChainTransferCode)stored.Transfer.Code))
                {
                    amount = checked(amount + stored.Transfer.Amount);
                    at = at is { } earlier && earlier <= stored.CreatedAt ? earlier : stored.CreatedAt;
                }
            }

            if (at is { } when)
            {
                yield return new ReconciliationRecord(
                    ReconciliationSource.Chain, e.Key.ToString(), hash, Asset, funding ? checked((Int128)amount) : -checked((Int128)amount), when, kind, e.ChannelId);
            }
        }
    }

    public static IEnumerable<UInt128> LedgerTransferIds(StoredFlows flows) =>
        flows.Topups.Select(t => FlowIds.LedgerTransfer(t.Id, TopupSteps.Post))
            .Concat(flows.Payouts.Select(p => FlowIds.LedgerTransfer(p.Id, PayoutSteps.Payable)));

    public static IEnumerable<ReconciliationRecord> Ledger(StoredFlows flows, IReadOnlyDictionary<UInt128, StoredTransfer> transfers)
    {
        foreach (var t in flows.Topups.Where(t => t.Funding is not null))
        {
            // The posted funding reservation: the GBP the flow put into the channel, as tGBP units.
            if (transfers.TryGetValue(FlowIds.LedgerTransfer(t.Id, TopupSteps.Post), out var post))
            {
                yield return new ReconciliationRecord(
                    ReconciliationSource.Ledger, BankLedgerRecords.Hex(post.Transfer.Id), t.Funding!.TransactionHash.ToLowerInvariant(), Asset,
                    Units(t.Request.AmountPence), post.CreatedAt, ReconciliationKind.ChannelFunded, t.Funding.ChannelId);
            }
        }

        foreach (var p in flows.Payouts.Where(p => p.Burn is not null))
        {
            // The confirmed burn: reserve → merchant payable for the whole amount burned.
            if (transfers.TryGetValue(FlowIds.LedgerTransfer(p.Id, PayoutSteps.Payable), out var payable))
            {
                yield return new ReconciliationRecord(
                    ReconciliationSource.Ledger, BankLedgerRecords.Hex(payable.Transfer.Id), p.Burn!.TransactionHash.ToLowerInvariant(), Asset,
                    -Units(checked((long)payable.Transfer.Amount)), payable.CreatedAt, ReconciliationKind.Payout, p.Order.MerchantId);
            }
        }
    }

    public static SourceFinding Unbalanced(ChannelSettlementRecord s)
    {
        var expected = (Int128)s.Deposit - (Int128)s.EarlierWithdrawals;
        var paid = (Int128)s.PayeePayout + (Int128)s.PayerRefund;
        return new SourceFinding(
            UnbalancedCode, UnbalancedCode + ":" + s.TransactionHash, Asset, paid - expected,
            string.Create(CultureInfo.InvariantCulture,
                $"Channel {s.ChannelId} settled in {s.TransactionHash} (block {s.BlockNumber}): payee {s.PayeePayout} + payer {s.PayerRefund} is not deposit {s.Deposit} − earlier withdrawals {s.EarlierWithdrawals}."));
    }

    public static ReconciliationRecord Record(SourceFinding finding, DateTimeOffset at, string channelId) =>
        new(ReconciliationSource.Chain, finding.RecordId, finding.RecordId, Asset, finding.Amount, at, ReconciliationKind.ChannelSettled, channelId);

    private static Int128 Units(long pence) => (Int128)StablecoinRate.ToBaseUnits(pence);
}
