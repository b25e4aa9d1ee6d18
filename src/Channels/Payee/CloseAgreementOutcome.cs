namespace Settlement.Channels.Payee;

/// <summary>The result of <see cref="PayeeEngine.AgreeCloseAsync"/>: <see cref="CloseAgreementSigned"/> or <see cref="CloseAgreementRefused"/>.</summary>
public abstract record CloseAgreementOutcome;
