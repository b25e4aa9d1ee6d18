namespace Settlement.OpenBanking.Configuration;

/// <summary>Per-bank deviations from the standard that the connector tolerates or needs.</summary>
public sealed class BankQuirks
{
    /// <summary>
    /// Follow the authorisation redirect with an HTTP client instead of handing the URL to a person
    /// (the sandbox simulates the customer; a real bank needs a browser).
    /// </summary>
    public bool HeadlessAuthorization { get; set; }

    /// <summary>Require <c>x-jws-signature</c> on GET responses too (the standard requires it on 201 and 4xx).</summary>
    public bool RequireSignedGetResponses { get; set; }

    /// <summary>Skip signature verification of responses (for a bank that signs with a key not in its JWKS). Off by default.</summary>
    public bool SkipResponseSignatureVerification { get; set; }
}
