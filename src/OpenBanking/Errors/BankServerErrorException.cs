using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>The bank answered 5xx. Transient; the request may or may not have been processed.</summary>
public sealed class BankServerErrorException : BankApiException
{
    internal BankServerErrorException(string bank, HttpStatusCode status, string? interactionId, IReadOnlyList<string>? codes)
        : base(bank, "server error", interactionId, status, codes, null)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;

    /// <inheritdoc />
    public override bool MayHaveBeenProcessed => true;
}
