using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>
/// Base of the small, closed hierarchy of failures at the bank boundary. Every subtype says whether
/// the failure is transient (a retry may succeed) and whether the request may already have been
/// processed by the bank (an ambiguous outcome: look the resource up before sending again).
/// Messages never carry secrets (tokens, keys, client secrets) nor request bodies.
/// </summary>
public abstract class BankApiException : Exception
{
    private protected BankApiException(string bank, string message, string? interactionId, HttpStatusCode? statusCode,
        IReadOnlyList<string>? errorCodes, Exception? inner)
        : base(Compose(bank, message, interactionId, statusCode, errorCodes), inner)
    {
        Bank = bank;
        InteractionId = interactionId;
        StatusCode = statusCode;
        ErrorCodes = errorCodes ?? [];
    }

    /// <summary>The configured bank name the call went to.</summary>
    public string Bank { get; }

    /// <summary>The <c>x-fapi-interaction-id</c> of the failed call, for support with the bank.</summary>
    public string? InteractionId { get; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>OBIE error codes from the <c>OBErrorResponse1</c> body (e.g. <c>UK.OBIE.Field.Invalid</c>).</summary>
    public IReadOnlyList<string> ErrorCodes { get; }

    /// <summary>True when repeating the same request (same idempotency key) may succeed.</summary>
    public abstract bool IsTransient { get; }

    /// <summary>True when the bank may have acted on the request although no usable answer arrived.</summary>
    public virtual bool MayHaveBeenProcessed => false;

    private static string Compose(string bank, string message, string? interactionId, HttpStatusCode? status, IReadOnlyList<string>? codes)
    {
        var text = $"Bank '{bank}': {message}";
        if (status is { } s)
        {
            text += $" (HTTP {(int)s})";
        }

        if (codes is { Count: > 0 })
        {
            text += $" [{string.Join(", ", codes)}]";
        }

        if (interactionId is not null)
        {
            text += $" x-fapi-interaction-id={interactionId}";
        }

        return text;
    }
}
