using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>One store instance on a ledger database, seen as the ledger and as the indexer's tables.</summary>
public sealed record LedgerDb(ILedgerStore Ledger, IChainIndexStore Index);
