using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>ChannelClosing</c>: a unilateral close started; vouchers redeemable until <see cref="Deadline"/>.</summary>
public sealed record ChannelClosingEvent(ChannelId ChannelId, Address Payer, Address Payee, Address Token, Address Closer, ulong Deadline)
    : ChannelEvent;
