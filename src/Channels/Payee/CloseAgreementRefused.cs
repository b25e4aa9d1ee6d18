namespace Settlement.Channels.Payee;

/// <summary>The payee signed nothing; nothing changed.</summary>
/// <param name="Reason">Why.</param>
public sealed record CloseAgreementRefused(CloseAgreementRefusal Reason) : CloseAgreementOutcome;
