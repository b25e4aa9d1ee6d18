using System.Numerics;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts;

/// <summary>The item was skipped for <see cref="Reason"/>; nothing moved for it.</summary>
public sealed record BatchItemSkipped(ChannelId ChannelId, BigInteger CumulativeAmount, BatchSkipReason Reason)
    : BatchItemOutcome(ChannelId, CumulativeAmount);
