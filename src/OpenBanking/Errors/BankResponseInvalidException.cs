using System.Net;

namespace Settlement.OpenBanking.Errors;

/// <summary>
/// The bank's answer cannot be trusted: malformed JSON or schema, a missing or bad
/// <c>x-jws-signature</c>, or a resource that does not match what was asked (amount, currency,
/// consent id). Not transient; no state is changed on the strength of such an answer.
/// </summary>
public sealed class BankResponseInvalidException : BankApiException
{
    internal BankResponseInvalidException(string bank, BankResponseProblem problem, string detail, HttpStatusCode? status, string? interactionId, Exception? inner = null)
        : base(bank, $"{problem}: {detail}", interactionId, status, null, inner)
    {
        Problem = problem;
        Detail = detail;
    }

    /// <summary>What was wrong with the answer.</summary>
    public BankResponseProblem Problem { get; }

    /// <summary>Exactly what was wrong, without the bank name, status or interaction id (e.g. <c>id_token nonce missing</c>).</summary>
    public string Detail { get; }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
