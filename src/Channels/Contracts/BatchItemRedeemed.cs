using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts;

/// <summary>The item was redeemed: the payee's total in the channel is now <see cref="BatchItemOutcome.CumulativeAmount"/>.</summary>
public sealed record BatchItemRedeemed(ChannelId ChannelId, BigInteger CumulativeAmount) : BatchItemOutcome(ChannelId, CumulativeAmount);
