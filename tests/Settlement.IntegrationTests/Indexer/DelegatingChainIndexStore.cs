using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// An index store that forwards every member to <paramref name="inner"/>; a test double overrides the one member it
/// changes (a read that fails, a read that hides an event). One copy, linked into the unit tests as well.
/// </summary>
internal class DelegatingChainIndexStore(IChainIndexStore inner) : IChainIndexStore
{
    /// <summary>The store every member forwards to.</summary>
    protected IChainIndexStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public virtual Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default) =>
        Inner.GetCheckpointAsync(stream, cancellationToken);

    public virtual Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default) =>
        Inner.GetBlocksAsync(stream, atOrBelow, limit, cancellationToken);

    public virtual Task<IReadOnlyList<IndexedChannel>> GetChannelsAsync(
        string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default) =>
        Inner.GetChannelsAsync(stream, channelIds, cancellationToken);

    public virtual Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default) =>
        Inner.ListEventsAsync(stream, cancellationToken);

    public virtual Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(
        string stream, string transactionHash, CancellationToken cancellationToken = default) =>
        Inner.FindEventsByTransactionAsync(stream, transactionHash, cancellationToken);

    public virtual Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default) =>
        Inner.ApplyBatchAsync(batch, onStep, cancellationToken);

    public virtual Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default) =>
        Inner.RollbackAsync(rollback, onStep, cancellationToken);
}
