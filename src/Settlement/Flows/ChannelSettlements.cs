using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>
/// Flow 2, channel settlement: the indexer already books a confirmed <c>ChannelSettled</c> (escrow → payee's wallet,
/// escrow → payer's wallet, which is what credits the merchant and refunds the payer). This derives the settlement
/// record of each one from the indexer's events and ledger transfers, with the invariant checked, for reconciliation.
/// Derived on demand, so a reorg rolled back by the indexer disappears from it too.
/// </summary>
public sealed class ChannelSettlements
{
    private readonly IChainIndexStore _index;
    private readonly ILedgerStore _ledger;
    private readonly string _stream;

    /// <summary>Settlements of the indexer stream <paramref name="stream"/>.</summary>
    public ChannelSettlements(IChainIndexStore index, ILedgerStore ledger, string stream)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        _index = index;
        _ledger = ledger;
        _stream = stream;
    }

    /// <summary>Every confirmed settlement, in chain order.</summary>
    public async Task<IReadOnlyList<ChannelSettlementRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var events = (await _index.ListEventsAsync(_stream, cancellationToken).ConfigureAwait(false))
            .Where(e => e.ChannelId is not null && e.TransferIds.Count > 0).ToList();
        var transfers = (await _ledger.LookupTransfersAsync(events.SelectMany(e => e.TransferIds).Distinct().ToList(), cancellationToken).ConfigureAwait(false))
            .ToDictionary(t => t.Transfer.Id, t => t.Transfer);
        var channels = new Dictionary<string, (UInt128 Deposit, UInt128 Withdrawn)>(StringComparer.Ordinal);
        var records = new List<ChannelSettlementRecord>();
        foreach (var e in events)
        {
            var (deposit, withdrawn) = channels.GetValueOrDefault(e.ChannelId!);
            UInt128 payee = 0, payer = 0;
            foreach (var id in e.TransferIds)
            {
                if (!transfers.TryGetValue(id, out var t))
                {
                    throw new InvalidDataException($"Indexer event {e.Key} names ledger transfer {id}, which the journal does not hold.");
                }

                switch ((ChainTransferCode)t.Code)
                {
                    case ChainTransferCode.ChannelFunded or ChainTransferCode.ChannelToppedUp:
                        deposit += t.Amount;
                        break;
                    case ChainTransferCode.VoucherRedeemed or ChainTransferCode.BatchVoucherRedeemed:
                        withdrawn += t.Amount;
                        break;
                    case ChainTransferCode.SettledToPayee:
                        payee += t.Amount;
                        break;
                    case ChainTransferCode.SettledToPayer:
                        payer += t.Amount;
                        break;
                }
            }

            channels[e.ChannelId!] = (deposit, withdrawn);
            if (e.Kind == ChainEventKind.ChannelSettled)
            {
                records.Add(new ChannelSettlementRecord(e.ChannelId!, e.Key.TransactionHash, e.BlockNumber, deposit, withdrawn, payee, payer));
            }
        }

        return records;
    }
}
