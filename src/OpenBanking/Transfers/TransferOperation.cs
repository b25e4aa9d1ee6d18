using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

/// <summary>A persisted top-up or payout and everything needed to resume it after a restart.</summary>
public sealed record TransferOperation
{
    /// <summary>The operation id (caller supplied or generated); the idempotency keys derive from it.</summary>
    public required Guid Id { get; init; }

    /// <summary>Top-up or payout.</summary>
    public required TransferKind Kind { get; init; }

    /// <summary>Configured bank name.</summary>
    public required string Bank { get; init; }

    /// <summary>Current state.</summary>
    public required TransferState State { get; init; }

    /// <summary>What is paid, from whom, to whom.</summary>
    public required PaymentInstruction Instruction { get; init; }

    /// <summary>The bank's consent id, once created.</summary>
    public string? ConsentId { get; init; }

    /// <summary>Last consent status code reported.</summary>
    public string? ConsentStatus { get; init; }

    /// <summary>The OAuth2 state of the pending authorisation request.</summary>
    public string? AuthorizationState { get; init; }

    /// <summary>The URL to send the customer to (non-headless banks).</summary>
    public Uri? AuthorizationUrl { get; init; }

    /// <summary>The bank's payment id, once known.</summary>
    public string? PaymentId { get; init; }

    /// <summary>Last known payment status code (known lifecycle codes only).</summary>
    public string? PaymentStatus { get; init; }

    /// <summary>The last status code the connector did not recognise, kept and reported.</summary>
    public string? UnrecognisedStatus { get; init; }

    /// <summary>
    /// The payer's account as the bank verified it (<c>Data.Refund</c>, top-ups that asked for it):
    /// where refunds and payouts of this money go back to. <see cref="AccountIdentification.ToString"/> masks it.
    /// </summary>
    public AccountIdentification? RefundAccount { get; init; }

    /// <summary>The consent's <c>CutOffDateTime</c>: after it the consent is not used for a payment.</summary>
    public DateTimeOffset? ConsentCutOff { get; init; }

    /// <summary>The consent's <c>Authorisation.CompletionDateTime</c>: not authorised by then → <see cref="TransferState.Expired"/>.</summary>
    public DateTimeOffset? ConsentAuthorisationDeadline { get; init; }

    /// <summary>Last error text (never secrets).</summary>
    public string? LastError { get; init; }

    /// <summary>Optimistic concurrency version, +1 per update.</summary>
    public long Version { get; init; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last update time.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    internal string? NonceValue { get; init; }

    internal string? CodeVerifier { get; init; }

    /// <summary>
    /// The authorisation code the bank redirected with, saved before it is exchanged: a restart
    /// between the redirect and the token exchange continues with it instead of asking the bank to
    /// authorise the consent a second time (which OBIE banks refuse).
    /// </summary>
    internal string? AuthorizationCode { get; init; }

    /// <summary>
    /// The consent-scoped access token, saved before the payment POST: a restart while the POST's
    /// outcome is unknown re-sends it with the same x-idempotency-key and body, and the bank returns
    /// the payment it already created (OBIE idempotency). Cleared once the payment id is known.
    /// The database file is therefore created owner-only (0600).
    /// </summary>
    internal Auth.AccessToken? ConsentToken { get; init; }

    /// <summary>The pending decoupled (CIBA) authorisation while the customer has not answered.</summary>
    internal Auth.DecoupledAuthorization? Decoupled { get; init; }

    /// <summary>True while a decoupled (CIBA) authorisation is pending at the bank.</summary>
    public bool AwaitingDecoupledAuthorisation => Decoupled is not null;

    /// <summary>x-idempotency-key of the consent POST (≤ 40 chars, stable for this operation).</summary>
    public string ConsentIdempotencyKey => Id.ToString("N") + "-c";

    /// <summary>x-idempotency-key of the payment POST (≤ 40 chars, stable for this operation).</summary>
    public string PaymentIdempotencyKey => Id.ToString("N") + "-p";

    /// <summary>True in a final state.</summary>
    public bool IsFinished => State is TransferState.Completed or TransferState.Rejected or TransferState.Failed or TransferState.Expired;
}
