using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>The bank refused the request (4xx other than 429). Not transient: repeating it changes nothing.</summary>
public sealed class BankRequestRejectedException : BankApiException
{
    internal BankRequestRejectedException(string bank, string message, HttpStatusCode? status, string? interactionId, IReadOnlyList<string>? codes)
        : base(bank, message, interactionId, status, codes, null)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
