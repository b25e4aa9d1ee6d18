using System.Collections.Concurrent;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The indexer's confirmations: every transaction while <see cref="ConfirmAll"/>, else those confirmed one by one. Records the kinds asked for.</summary>
internal sealed class FakeConfirmations : IChainConfirmations
{
    private readonly ConcurrentDictionary<string, bool> _confirmed = new(StringComparer.Ordinal);

    public bool ConfirmAll { get; set; } = true;

    public ConcurrentDictionary<string, ChainEventKind> Asked { get; } = new(StringComparer.Ordinal);

    public void Confirm(string transactionHash) => _confirmed[transactionHash] = true;

    public Task<bool> IsConfirmedAsync(string transactionHash, ChainEventKind kind, CancellationToken cancellationToken)
    {
        Asked[transactionHash] = kind;
        return Task.FromResult(ConfirmAll || _confirmed.ContainsKey(transactionHash));
    }
}
