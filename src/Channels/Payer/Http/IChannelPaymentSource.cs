using System.Numerics;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer.Http;

/// <summary>
/// Where <see cref="PaymentRequiredHandler"/> gets its vouchers: a payer that holds (or opens) a channel to an offer's
/// payee and signs the next cumulative amount. Implementations record the new amount durably before returning it.
/// </summary>
public interface IChannelPaymentSource
{
    /// <summary>
    /// Signs a voucher that pays <paramref name="amount"/> more to <paramref name="offer"/>'s payee (opening or topping
    /// up a channel if needed). When <see cref="PaymentOffer.ChannelId"/> names this payer's channel and
    /// <see cref="PaymentOffer.Stored"/> is above what the payer knows, the new amount must exceed it. Null declines
    /// (no channel, not enough deposit, the offer is not acceptable); the 402 is then returned to the caller.
    /// </summary>
    ValueTask<SignedVoucher?> SignPaymentAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken);

    /// <summary>A paid response arrived: the payee's stored amount for the channel and, if it signs them, its receipt (already verified).</summary>
    ValueTask OnPaymentAcceptedAsync(PaymentOffer offer, PaymentResponse response, CancellationToken cancellationToken);
}
