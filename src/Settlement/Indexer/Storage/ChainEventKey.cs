using System.Globalization;

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// What identifies one chain event for exactly-once booking: the chain, the emitting contract, the transaction and the
/// log's index in its block. Addresses and hashes are 0x-prefixed lower-case hex.
/// </summary>
public sealed record ChainEventKey(ulong ChainId, string Contract, string TransactionHash, ulong LogIndex)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChainId}:{Contract}:{TransactionHash}:{LogIndex}");
}
