namespace Settlement.OpenBanking.Signing;

/// <summary>Outcome of a JWS check: valid with the signer's kid, or the reason it failed.</summary>
public sealed record JwsVerification
{
    private JwsVerification(bool isValid, string? keyId, string? issuer, string? failure)
    {
        IsValid = isValid;
        KeyId = keyId;
        Issuer = issuer;
        Failure = failure;
    }

    /// <summary>True when the signature and the header checks passed.</summary>
    public bool IsValid { get; }

    /// <summary>The signer's kid, when valid.</summary>
    public string? KeyId { get; }

    /// <summary>The OBIE iss claim, when valid.</summary>
    public string? Issuer { get; }

    /// <summary>Why it failed.</summary>
    public string? Failure { get; }

    internal static JwsVerification Ok(string kid, string? issuer) => new(true, kid, issuer, null);

    internal static JwsVerification Fail(string reason) => new(false, null, null, reason);
}
