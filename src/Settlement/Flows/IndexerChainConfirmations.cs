using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Flows;

/// <summary><see cref="IChainConfirmations"/> over the indexer's booked events of one stream (<see cref="IChainIndexStore.FindEventsByTransactionAsync"/>).</summary>
public sealed class IndexerChainConfirmations : IChainConfirmations
{
    private readonly IChainIndexStore _store;
    private readonly string _stream;

    /// <summary>Confirmations from <paramref name="store"/>'s stream <paramref name="stream"/> (the indexer's <c>StreamName</c>).</summary>
    public IndexerChainConfirmations(IChainIndexStore store, string stream)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        _store = store;
        _stream = stream;
    }

    /// <inheritdoc />
    public async Task<bool> IsConfirmedAsync(string transactionHash, ChainEventKind kind, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        var events = await _store.FindEventsByTransactionAsync(_stream, transactionHash, cancellationToken).ConfigureAwait(false);
        return events.Any(e => e.Kind == kind);
    }
}
