using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>The voucher was refused; nothing changed.</summary>
/// <param name="Code">Why.</param>
/// <param name="Stored">The newest cumulative amount stored for the channel (0 if none or unknown).</param>
public sealed record VoucherRejected(VoucherRejectCode Code, BigInteger Stored) : VoucherOutcome;
