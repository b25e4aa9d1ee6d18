namespace Settlement.Channels.Payee;

/// <summary>The payee signed (or had already signed) a close agreement; it is durable.</summary>
/// <param name="Agreement">The agreement with the payee's signature.</param>
/// <param name="Repeated">True if this is the live agreement signed by an earlier request (same state, same signature).</param>
public sealed record CloseAgreementSigned(CloseAgreement Agreement, bool Repeated) : CloseAgreementOutcome;
