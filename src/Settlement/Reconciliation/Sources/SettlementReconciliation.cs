using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// Reconciles what is stored — the bank's transfer records, the flows, the ledger and the indexer's events — with the
/// pure engine (<see cref="Reconciler"/>): pairing <c>bank-ledger</c> (GBP, pence) and <c>chain-ledger</c> (tGBP, base
/// units). Reads only; the same stored data always gives the same report. See docs/reconciliation.md, "Sources".
/// </summary>
public sealed class SettlementReconciliation
{
    /// <summary>Name of the Bank vs Ledger pairing.</summary>
    public const string BankLedger = "bank-ledger";

    /// <summary>Name of the Chain vs Ledger pairing.</summary>
    public const string ChainLedger = "chain-ledger";

    private readonly ILedgerStore _ledger;
    private readonly IFlowStore _flows;
    private readonly IChainIndexStore _index;
    private readonly IBankOperationSource _bank;
    private readonly SettlementReconciliationOptions _options;

    /// <summary>Reads from the given stores; <paramref name="options"/> names the indexer stream.</summary>
    public SettlementReconciliation(ILedgerStore ledger, IFlowStore flows, IChainIndexStore index, IBankOperationSource bank, SettlementReconciliationOptions options)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Stream, nameof(options.Stream));
        _ledger = ledger;
        _flows = flows;
        _index = index;
        _bank = bank;
        _options = options;
    }

    /// <summary>The two pairings as run.</summary>
    public IReadOnlyList<ReconciliationPairing> Pairings =>
    [
        new(BankLedger, ReconciliationSource.Bank, ReconciliationSource.Ledger, _options.BankRules) { Asset = BankLedgerRecords.Asset },
        new(ChainLedger, ReconciliationSource.Chain, ReconciliationSource.Ledger, _options.ChainRules) { Asset = ChainLedgerRecords.Asset },
    ];

    /// <summary>Loads everything and runs both pairings.</summary>
    public async Task<SettlementReconciliationReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var flows = await StoredFlows.LoadAsync(_flows, cancellationToken).ConfigureAwait(false);
        var operations = await _bank.ListAsync(cancellationToken).ConfigureAwait(false);
        var events = await _index.ListEventsAsync(_options.Stream!, cancellationToken).ConfigureAwait(false);
        var transactions = ChainLedgerRecords.FlowTransactions(flows);
        var flowEvents = ChainLedgerRecords.FlowEvents(events, transactions);

        var ids = BankLedgerRecords.TransferIds(flows)
            .Concat(ChainLedgerRecords.LedgerTransferIds(flows))
            .Concat(flowEvents.SelectMany(e => e.TransferIds))
            .Distinct().ToList();
        var transfers = (await _ledger.LookupTransfersAsync(ids, cancellationToken).ConfigureAwait(false))
            .GroupBy(t => t.Transfer.Id).ToDictionary(g => g.Key, g => g.First());

        var records = new List<ReconciliationRecord>();
        var findings = new List<SourceFinding>();

        records.AddRange(BankLedgerRecords.Bank(operations, flows));
        var ledgerGbp = BankLedgerRecords.Ledger(flows, transfers);
        records.AddRange(ledgerGbp);
        var clearing = (await _ledger.LookupAccountsAsync([SettlementAccounts.BankClearing.Id], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (BankLedgerRecords.Unexplained(clearing, ledgerGbp) is { } unexplained)
        {
            findings.Add(unexplained);
            records.Add(BankLedgerRecords.Record(unexplained, clearing!.CreatedAt));
        }

        records.AddRange(ChainLedgerRecords.Chain(flowEvents, transactions, transfers));
        records.AddRange(ChainLedgerRecords.Ledger(flows, transfers));
        foreach (var settlement in await new ChannelSettlements(_index, _ledger, _options.Stream!).ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!settlement.Balanced)
            {
                var finding = ChainLedgerRecords.Unbalanced(settlement);
                findings.Add(finding);
                records.Add(ChainLedgerRecords.Record(finding, await SettledAtAsync(events, settlement, cancellationToken).ConfigureAwait(false), settlement.ChannelId));
            }
        }

        return new SettlementReconciliationReport(Reconciler.Run(records, Pairings), findings);
    }

    /// <summary>The time the ledger booked the settlement event (the earliest of its transfers).</summary>
    private async Task<DateTimeOffset> SettledAtAsync(IReadOnlyList<BookedEvent> events, ChannelSettlementRecord settlement, CancellationToken cancellationToken)
    {
        var ids = events.Where(e => e.Kind == ChainEventKind.ChannelSettled && string.Equals(e.Key.TransactionHash, settlement.TransactionHash, StringComparison.Ordinal))
            .SelectMany(e => e.TransferIds).Distinct().ToList();
        var booked = await _ledger.LookupTransfersAsync(ids, cancellationToken).ConfigureAwait(false);
        return booked.Count == 0 ? DateTimeOffset.UnixEpoch : booked.Min(t => t.CreatedAt);
    }
}
