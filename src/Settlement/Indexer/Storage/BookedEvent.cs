namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// One chain event the indexer booked, as stored with the ledger: its key, the block that held it, the ledger transfers
/// it caused (in order; empty when <see cref="Ignored"/> says why none), and the channel facts later events need.
/// </summary>
/// <param name="Key">Chain id, contract, transaction hash, log index.</param>
/// <param name="BlockNumber">The block that held the log.</param>
/// <param name="BlockHash">That block's hash.</param>
/// <param name="Kind">Which event.</param>
/// <param name="TransferIds">The ledger transfers it booked, in order.</param>
/// <param name="Ignored">Why it booked none, or null.</param>
/// <param name="ChannelId">The channel it concerns (0x hex), if any.</param>
/// <param name="PayeeCumulative">The payee's redeemed total in the channel after this event, for redemptions payer → payee.</param>
public sealed record BookedEvent(
    ChainEventKey Key,
    ulong BlockNumber,
    string BlockHash,
    ChainEventKind Kind,
    IReadOnlyList<UInt128> TransferIds,
    EventIgnoredReason? Ignored = null,
    string? ChannelId = null,
    UInt128? PayeeCumulative = null)
{
    /// <summary>Value equality, including the transfer ids element by element.</summary>
    public bool Equals(BookedEvent? other) =>
        other is not null
        && Key == other.Key
        && BlockNumber == other.BlockNumber
        && BlockHash == other.BlockHash
        && Kind == other.Kind
        && TransferIds.SequenceEqual(other.TransferIds)
        && Ignored == other.Ignored
        && ChannelId == other.ChannelId
        && PayeeCumulative == other.PayeeCumulative;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, BlockNumber, BlockHash, Kind, TransferIds.Count, Ignored, ChannelId, PayeeCumulative);
}
