using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>ChannelToppedUp</c>: one side's deposit grew by <see cref="Amount"/> (received) to <see cref="Deposit"/>.</summary>
public sealed record ChannelToppedUpEvent(
    ChannelId ChannelId, Address Payer, Address Payee, Address Token, Address Funder, bool PayeeSide, BigInteger Amount, BigInteger Deposit)
    : ChannelEvent;
