using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>
/// The same cumulative amount is already stored (a retransmission, or a second instance stored it first): nothing
/// new, and the payer may treat it as acknowledged.
/// </summary>
/// <param name="Cumulative">The cumulative amount stored.</param>
public sealed record VoucherDuplicate(BigInteger Cumulative) : VoucherOutcome;
