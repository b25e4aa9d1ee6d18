using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>PayoutDeferred</c>: a push payout failed and was credited to <c>owed[token][to]</c>.</summary>
public sealed record PayoutDeferredEvent(ChannelId ChannelId, Address To, Address Token, BigInteger Amount) : ChannelEvent;
