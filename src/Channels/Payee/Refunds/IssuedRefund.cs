using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee.Refunds;

/// <summary>
/// A refund the payee signed: a payee → payer voucher (EIP-712 <c>Voucher</c> signed with the payee's key, paid from the
/// payee's deposit, docs/protocol.md "Refunds"), stored before it is sent. Refunds of a channel form a chain: each one's
/// <see cref="Previous"/> is the cumulative amount of the refund before it (0 for the first), so two payee instances can
/// never both extend the same refund.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="IdempotencyKey">The operator's id of the request (a repeat returns this refund, never a second one).</param>
/// <param name="Previous">The channel's newest refund before this one (0 if none).</param>
/// <param name="Cumulative">The cumulative payee → payer amount this voucher pays, above <see cref="Previous"/>.</param>
/// <param name="Signature">The payee's signature, 65 bytes r‖s‖v with v = 27/28.</param>
/// <param name="IssuedAt">When the payee signed it (the payee's clock).</param>
public sealed record IssuedRefund(ChannelKey Key, string IdempotencyKey, BigInteger Previous, BigInteger Cumulative, byte[] Signature, DateTimeOffset IssuedAt)
{
    /// <summary>What this refund adds to the one before it.</summary>
    public BigInteger Amount => Cumulative - Previous;

    /// <summary>The voucher as the payer checks it (<c>PayerChannel.AcceptRefundAsync</c>).</summary>
    /// <exception cref="FormatException">The stored signature is not a well-formed r‖s‖v.</exception>
    public SignedVoucher ToSignedVoucher() =>
        EcdsaSignature.TryParseRsv(Signature, out var signature)
            ? new SignedVoucher(new Voucher(Key.ChannelId, Cumulative), signature)
            : throw new FormatException($"The refund signature of channel {Key} is not 65 bytes r‖s‖v.");
}
