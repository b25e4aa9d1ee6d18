using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Contracts;

/// <summary>What <c>redeemBatch</c> did with one item of a batch (<see cref="ChannelContract.BatchOutcomes"/>).</summary>
/// <param name="ChannelId">The item's channel.</param>
/// <param name="CumulativeAmount">The item's voucher amount.</param>
public abstract record BatchItemOutcome(ChannelId ChannelId, BigInteger CumulativeAmount);
