using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts.Events;

/// <summary>
/// <c>BatchVoucherRedeemed</c>: <c>redeemBatch</c> redeemed a payer → payee voucher; the payee's redeemed total in the
/// channel is now <see cref="CumulativeAmount"/>. Payer, payee and token are those of the channel's
/// <see cref="ChannelOpenedEvent"/>; the amount paid is the difference to the previous total.
/// </summary>
public sealed record BatchVoucherRedeemedEvent(ChannelId ChannelId, BigInteger CumulativeAmount) : ChannelEvent;
