using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport.Http402;

/// <summary>
/// One way to pay for a priced route, as a 402 states it: pay <see cref="Amount"/> more in a channel of
/// <see cref="Contract"/> on <see cref="ChainId"/> to <see cref="PayTo"/> in <see cref="Asset"/>.
/// </summary>
/// <param name="ChainId">The chain id (the network <c>eip155:&lt;chain id&gt;</c>).</param>
/// <param name="Contract">The <c>SettlementChannels</c> contract.</param>
/// <param name="PayTo">The payee: the channel's payee must be this address.</param>
/// <param name="Asset">The token (the zero address for ETH).</param>
/// <param name="Amount">What this request still needs, in base units: the increment the next voucher must add.</param>
/// <param name="PricePerRequest">The route's price per request, in base units.</param>
/// <param name="PricePerByte">The route's price per response byte, in base units (0 if priced per request only).</param>
/// <param name="MaxUnpaid">How much a response may run up unpaid (per-byte routes); 0 otherwise.</param>
/// <param name="MinDeposit">The smallest deposit the payee suggests for a new channel.</param>
/// <param name="MaxTimeoutSeconds">How long the offer stands.</param>
/// <param name="ReceiptSigner">The address whose signed receipts come back in <see cref="PaymentHeaders.Response"/>, if any.</param>
/// <param name="ChannelId">The channel the refused payment named, if any.</param>
/// <param name="Stored">The newest cumulative amount the payee stored for that channel, if any (sign above it).</param>
public sealed record PaymentOffer(
    ulong ChainId,
    Address Contract,
    Address PayTo,
    Address Asset,
    BigInteger Amount,
    BigInteger PricePerRequest,
    BigInteger PricePerByte,
    BigInteger MaxUnpaid,
    BigInteger MinDeposit,
    int MaxTimeoutSeconds,
    Address? ReceiptSigner = null,
    ChannelId? ChannelId = null,
    BigInteger? Stored = null);
