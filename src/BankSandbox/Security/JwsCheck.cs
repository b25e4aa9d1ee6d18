namespace Settlement.BankSandbox.Security;

/// <summary>Outcome of checking a request's x-jws-signature; maps to the UK.OBIE.Signature.* codes.</summary>
internal enum JwsOutcome
{
    Valid,
    Missing,
    Malformed,
    MissingClaim,
    InvalidClaim,
    Invalid,
}

/// <summary>The outcome and, for claim errors, the claim's name (goes into the error Path).</summary>
internal readonly record struct JwsCheck(JwsOutcome Outcome, string? Claim = null, string? Message = null);
