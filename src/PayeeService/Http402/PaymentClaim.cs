using System.Numerics;

namespace Settlement.PayeeService.Http402;

/// <summary>What <see cref="PaymentCreditBook.Claim"/> did.</summary>
/// <param name="Status">Charged, reused or insufficient.</param>
/// <param name="Credit">The channel's credit afterwards.</param>
/// <param name="Missing">What the request still needs when insufficient; 0 otherwise.</param>
internal readonly record struct PaymentClaim(PaymentClaimStatus Status, BigInteger Credit, BigInteger Missing);
