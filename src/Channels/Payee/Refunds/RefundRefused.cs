using System.Numerics;

namespace Settlement.Channels.Payee.Refunds;

/// <summary>The payee signed nothing; nothing was stored or sent.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Newest">The channel's newest cumulative refund (unchanged; 0 if none or the channel is unknown).</param>
public sealed record RefundRefused(RefundRefusal Reason, BigInteger Newest) : RefundIssueOutcome;
