using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>VoucherRedeemed</c>: <see cref="Amount"/> paid; the direction's total is now <see cref="CumulativeAmount"/>.</summary>
public sealed record VoucherRedeemedEvent(
    ChannelId ChannelId, Address Payer, Address Payee, Address Token, bool PayerToPayee, BigInteger Amount, BigInteger CumulativeAmount)
    : ChannelEvent;
