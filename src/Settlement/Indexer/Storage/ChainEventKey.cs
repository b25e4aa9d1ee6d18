using System.Globalization;

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// What identifies one chain event for exactly-once booking: the chain, the emitting contract, the transaction and the
/// log's position in its block (<see cref="Position"/>: the log index, with the item number in the high 32 bits for
/// the second and later items of a <c>BatchRedeemed</c> log). Addresses and hashes are 0x-prefixed lower-case hex.
/// </summary>
public sealed record ChainEventKey(ulong ChainId, string Contract, string TransactionHash, ulong LogIndex)
{
    /// <summary>Mask of the log index in <see cref="LogIndex"/> (the low 32 bits; a block has far fewer logs).</summary>
    public const ulong LogIndexMask = 0xFFFF_FFFF;

    /// <summary>
    /// The position of event <paramref name="item"/> of the log at <paramref name="logIndex"/>: the log index itself for
    /// the first (so a log with one event keeps its plain index), and <c>item &lt;&lt; 32 | logIndex</c> for the
    /// others. Stores order events by <c>(position &amp; <see cref="LogIndexMask"/>, position)</c>, which is chain order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The log index does not fit in 32 bits or the item is negative.</exception>
    public static ulong Position(ulong logIndex, int item)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logIndex, LogIndexMask);
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        return ((ulong)item << 32) | logIndex;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ChainId}:{Contract}:{TransactionHash}:{LogIndex}");
}
