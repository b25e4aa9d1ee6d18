using System.Numerics;

namespace Settlement.Channels.Payer.Refunds;

/// <summary>The verdict on a refund voucher and the newest refund amount stored after it (unchanged unless accepted).</summary>
/// <param name="Verdict">What happened.</param>
/// <param name="Stored">The newest stored refund amount.</param>
public sealed record RefundOutcome(RefundVerdict Verdict, BigInteger Stored);
