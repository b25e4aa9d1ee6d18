using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer.Receipts;

/// <summary>
/// A payee-signed receipt the payer verified and kept: proof that the payee held vouchers up to
/// <see cref="Cumulative"/> at <see cref="IssuedAt"/> (docs/payee.md, "Receipts").
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="Cumulative">The cumulative amount the payee acknowledged.</param>
/// <param name="IssuedAt">Unix seconds when the payee signed.</param>
/// <param name="Signature">The payee's EIP-712 signature.</param>
/// <param name="ReceivedAt">When the payer received it.</param>
public sealed record PayerReceipt(ChannelKey Key, BigInteger Cumulative, ulong IssuedAt, EcdsaSignature Signature, DateTimeOffset ReceivedAt)
{
    /// <summary>The receipt in the payee's form (to verify or show it).</summary>
    public PaymentReceipt ToPaymentReceipt() => new(Key, Cumulative, IssuedAt, Signature);
}
