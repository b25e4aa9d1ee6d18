namespace Settlement.OpenBanking.Errors;

/// <summary>Why a bank response was refused.</summary>
public enum BankResponseProblem
{
    /// <summary>Not JSON, or required fields missing or of the wrong shape.</summary>
    Malformed,

    /// <summary>The <c>x-jws-signature</c> header was required but absent.</summary>
    SignatureMissing,

    /// <summary>The detached JWS did not verify against the bank's JWKS, or its claims were wrong.</summary>
    SignatureInvalid,

    /// <summary>The amount or currency differs from what was requested.</summary>
    AmountMismatch,

    /// <summary>The resource belongs to another consent or payment than requested.</summary>
    ResourceMismatch,

    /// <summary>
    /// The OIDC ID token of the authorisation-code exchange failed a check (signature, <c>iss</c>,
    /// <c>aud</c>, <c>exp</c>, <c>nonce</c>, <c>openbanking_intent_id</c>, <c>c_hash</c>/<c>at_hash</c>/<c>s_hash</c>):
    /// the access token issued with it is not used.
    /// </summary>
    IdTokenInvalid,
}
