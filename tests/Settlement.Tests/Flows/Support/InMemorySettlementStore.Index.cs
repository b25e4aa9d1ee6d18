using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Flows.Support;

/// <summary>
/// The indexer's booked events in memory: enough of <see cref="IChainIndexStore"/> for what the flows and the
/// reconciliation read (events by stream and by transaction) and for tests to book a batch. Checkpoints, block hashes,
/// channels and rollbacks are the indexer tests' business (SQLite and PostgreSQL); they throw here.
/// </summary>
internal sealed partial class InMemorySettlementStore : IChainIndexStore
{
    private readonly List<(string Stream, BookedEvent Event)> _events = [];

    public Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<IndexedChannel>> GetChannelsAsync(string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<BookedEvent>>([.. InChainOrder(_events.Where(e => e.Stream == stream).Select(e => e.Event))]);
        }
    }

    public Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<BookedEvent>>(
                [.. InChainOrder(_events.Where(e => e.Stream == stream && e.Event.Key.TransactionHash == transactionHash).Select(e => e.Event))]);
        }
    }

    /// <summary>Creates the accounts, applies the transfers (Exists counts as applied) and records the events; a ledger refusal refuses the batch.</summary>
    public async Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var accounts = await CreateAccountsAsync(batch.Accounts, cancellationToken);
        if (accounts.FirstOrDefault(r => r is not (CreateAccountResult.Ok or CreateAccountResult.Exists)) is var a and not CreateAccountResult.Ok)
        {
            return ChainIndexWriteResult.Refused(ChainIndexRefusal.AccountConflict, a.ToString());
        }

        var transfers = await CreateTransfersAsync(batch.Transfers, cancellationToken);
        if (transfers.FirstOrDefault(r => r is not (CreateTransferResult.Ok or CreateTransferResult.Exists)) is var t and not CreateTransferResult.Ok)
        {
            return ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, t.ToString());
        }

        lock (_gate)
        {
            _events.AddRange(batch.Events.Select(e => (batch.Stream, e)));
        }

        return new ChainIndexWriteResult(null, null, null);
    }

    public Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    private static IEnumerable<BookedEvent> InChainOrder(IEnumerable<BookedEvent> events) =>
        events.OrderBy(e => e.BlockNumber).ThenBy(e => e.Key.LogIndex & ChainEventKey.LogIndexMask).ThenBy(e => e.Key.LogIndex);
}
