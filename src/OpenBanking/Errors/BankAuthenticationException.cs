using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>
/// The bank answered 401 Unauthorized: it does not accept the access token. A client-credentials
/// token has already been refreshed once and the request repeated (same idempotency key and body)
/// before this is thrown; a consent-scoped token cannot be refreshed (OBIE PIS issues no refresh
/// token for a single payment). A 401 means the request was not processed. Not transient.
/// </summary>
public sealed class BankAuthenticationException : BankApiException
{
    internal BankAuthenticationException(string bank, string message, string? interactionId, IReadOnlyList<string>? codes)
        : base(bank, message, interactionId, HttpStatusCode.Unauthorized, codes, null)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
