using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Transport.Http402;

/// <summary>The <see cref="PaymentHeaders.Response"/> header of a paid request.</summary>
/// <param name="ChainId">The chain id.</param>
/// <param name="ChannelId">The channel that paid.</param>
/// <param name="Cumulative">The newest cumulative amount the payee has stored for the channel.</param>
/// <param name="Charged">What this request was charged up front (per-byte charges follow the body and show in the next answer).</param>
/// <param name="Credit">The channel's credit with this payee's priced routes after the charge: paid but not yet used (negative: owed).</param>
/// <param name="ReceiptIssuedAt">Unix seconds of the receipt, if the payee signs receipts.</param>
/// <param name="ReceiptSignature">The payee's EIP-712 <c>Receipt</c> signature over (channel, <see cref="Cumulative"/>, issued at), if any.</param>
public sealed record PaymentResponse(
    ulong ChainId,
    ChannelId ChannelId,
    BigInteger Cumulative,
    BigInteger Charged,
    BigInteger Credit,
    ulong? ReceiptIssuedAt,
    EcdsaSignature? ReceiptSignature);
