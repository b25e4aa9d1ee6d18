using System.Diagnostics.CodeAnalysis;

namespace Settlement.OpenBanking.Pis;

/// <summary>
/// One OBIE PIS version's wire format: builds request bodies from the internal model and parses
/// responses into it. Parsing never throws; a failure returns a reason.
/// </summary>
internal interface IPisDialect
{
    string BasePath { get; }

    byte[] ConsentRequest(PaymentInstruction instruction);

    byte[] PaymentRequest(string consentId, PaymentInstruction instruction);

    bool TryParseConsent(ReadOnlySpan<byte> json, [NotNullWhen(true)] out PaymentConsent? consent, [NotNullWhen(false)] out string? error);

    bool TryParsePayment(ReadOnlySpan<byte> json, [NotNullWhen(true)] out DomesticPayment? payment, [NotNullWhen(false)] out string? error);
}
