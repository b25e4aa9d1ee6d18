using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Flows;

/// <summary>
/// Whether the chain indexer has booked (after its confirmations) an event of a flow's own transaction. The flows move
/// GBP only on what the indexer confirmed, so the GBP and tGBP ledgers never disagree about a reorged transaction.
/// </summary>
public interface IChainConfirmations
{
    /// <summary>True once the indexer booked an event of <paramref name="kind"/> from <paramref name="transactionHash"/> (0x lower-case hex).</summary>
    Task<bool> IsConfirmedAsync(string transactionHash, ChainEventKind kind, CancellationToken cancellationToken);
}
