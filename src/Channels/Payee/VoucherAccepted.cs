using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>The voucher is stored durably; the payer has now paid <paramref name="Cumulative"/> in total.</summary>
/// <param name="Cumulative">The cumulative amount stored (the newest for the channel).</param>
/// <param name="Increment">What this voucher added to the previous newest (or to the on-chain redeemed amount).</param>
public sealed record VoucherAccepted(BigInteger Cumulative, BigInteger Increment) : VoucherOutcome;
