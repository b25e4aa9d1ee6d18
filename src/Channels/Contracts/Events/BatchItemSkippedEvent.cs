using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts.Events;

/// <summary>
/// <c>BatchItemSkipped</c>: <c>redeemBatch</c> skipped a validly signed voucher for <see cref="CumulativeAmount"/> that
/// could no longer be paid, for <see cref="Reason"/>; the rest of the batch was paid. Nothing moved for this item.
/// </summary>
public sealed record BatchItemSkippedEvent(ChannelId ChannelId, BigInteger CumulativeAmount, BatchSkipReason Reason) : ChannelEvent;
