using System.Numerics;

namespace Settlement.Channels.Payer;

/// <summary>The payer refused to sign: nothing was signed, stored or sent, and the channel's state is unchanged.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Requested">The increment asked for.</param>
/// <param name="Signed">The newest signed cumulative amount (unchanged).</param>
/// <param name="Deposit">The deposit the payer may sign up to.</param>
public sealed record PaymentRefused(PaymentRefusalReason Reason, BigInteger Requested, BigInteger Signed, BigInteger Deposit) : PaymentOutcome;
