using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>
/// The bank answered 403 Forbidden: the token is valid but not for this resource or operation (a
/// token of another consent, a missing scope, a resource of another client). Not retried, not
/// transient: repeating the request changes nothing. The request was not processed.
/// </summary>
public sealed class BankForbiddenException : BankApiException
{
    internal BankForbiddenException(string bank, string message, string? interactionId, IReadOnlyList<string>? codes)
        : base(bank, message, interactionId, HttpStatusCode.Forbidden, codes, null)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
