using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>ChannelSettled</c>: the channel ended; remaining escrow paid (or deferred) to both sides.</summary>
public sealed record ChannelSettledEvent(
    ChannelId ChannelId, Address Payer, Address Payee, Address Token, bool Cooperative, BigInteger ToPayer, BigInteger ToPayee)
    : ChannelEvent;
