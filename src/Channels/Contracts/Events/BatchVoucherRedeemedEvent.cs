using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts.Events;

/// <summary>
/// One item of a <c>BatchRedeemed</c> log: <c>redeemBatch</c> redeemed a payer → payee voucher; the payee's redeemed
/// total in the channel is now <see cref="CumulativeAmount"/>, and the amount paid is the difference to the previous
/// total. A log carries one item per redeemed voucher (docs/protocol.md, "Batch redeem"); the decoders turn it into one
/// event per item, all with the log's position and <see cref="Item"/> telling them apart.
/// </summary>
public sealed record BatchVoucherRedeemedEvent(ChannelId ChannelId, BigInteger CumulativeAmount) : ChannelEvent
{
    /// <summary>The channel's parameters (from the item and the log's payee and token topics), when decoded from a log.</summary>
    public ChannelParameters? Channel { get; init; }

    /// <summary>Position of the item among the redeemed items of its <c>BatchRedeemed</c> log (0 for the first).</summary>
    public int Item { get; init; }
}
