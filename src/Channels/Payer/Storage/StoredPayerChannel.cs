using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer.Storage;

/// <summary>A payer's channel as stored: its record and the voucher state of both directions.</summary>
/// <param name="Record">Parameters, deposits, payee URL, status.</param>
/// <param name="Signed">The newest voucher the payer signed (payer → payee), or null if none yet.</param>
/// <param name="Acknowledged">The newest cumulative amount the payee acknowledged holding (0 if none).</param>
/// <param name="Refund">The newest refund voucher the payee signed (payee → payer), or null.</param>
public sealed record StoredPayerChannel(PayerChannelRecord Record, SignedVoucher? Signed, BigInteger Acknowledged, SignedVoucher? Refund)
{
    /// <summary>The newest signed cumulative amount (0 if none).</summary>
    public BigInteger SignedAmount => Signed?.Voucher.CumulativeAmount ?? BigInteger.Zero;

    /// <summary>Signed but not acknowledged: what the payer has promised that the payee has not confirmed holding.</summary>
    public BigInteger Exposure => BigInteger.Max(BigInteger.Zero, SignedAmount - Acknowledged);
}
