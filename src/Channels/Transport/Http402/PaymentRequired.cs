namespace Settlement.Channels.Transport.Http402;

/// <summary>The body (and <see cref="PaymentHeaders.Required"/> header) of a 402 answer.</summary>
/// <param name="Error">Why payment is required; one of <see cref="PaymentErrors"/>.</param>
/// <param name="Reason">A finer reason: the voucher refusal code (camelCase, as on the stream) or a short text; null if none.</param>
/// <param name="Resource">The path that was asked for.</param>
/// <param name="Accepts">The ways to pay (one per scheme and network; this payee offers one).</param>
public sealed record PaymentRequired(string Error, string? Reason, string Resource, IReadOnlyList<PaymentOffer> Accepts);
