using System.Diagnostics.CodeAnalysis;
using Settlement.OpenBanking.Pis.Wire;

namespace Settlement.OpenBanking.Pis;

/// <summary>OBIE PIS v3.1.11.</summary>
internal sealed class V3Dialect : IPisDialect
{
    public string BasePath => "/open-banking/v3.1/pisp";

    public byte[] ConsentRequest(PaymentInstruction instruction) =>
        PisDialects.Serialize(new V3ConsentRequest { Data = new V3ConsentRequestData { ReadRefundAccount = PisDialects.ReadRefund(instruction), Initiation = Initiation(instruction) }, Risk = PisDialects.Risk(instruction.Risk) });

    public byte[] PaymentRequest(string consentId, PaymentInstruction instruction) =>
        PisDialects.Serialize(new V3PaymentRequest { Data = new V3PaymentRequestData { ConsentId = consentId, Initiation = Initiation(instruction) }, Risk = PisDialects.Risk(instruction.Risk) });

    public bool TryParseConsent(ReadOnlySpan<byte> json, [NotNullWhen(true)] out PaymentConsent? consent, [NotNullWhen(false)] out string? error)
    {
        consent = null;
        return PisDialects.TryDeserialize<V3ConsentResponse>(json, out var r, out error)
            && PisDialects.TryParseConsent(r.Data, r.Data?.Initiation?.InstructionIdentification, r.Data?.Initiation?.InstructedAmount, r.Data?.Initiation?.CreditorAccount,
                out consent, out error);
    }

    public bool TryParsePayment(ReadOnlySpan<byte> json, [NotNullWhen(true)] out DomesticPayment? payment, [NotNullWhen(false)] out string? error)
    {
        payment = null;
        return PisDialects.TryDeserialize<V3PaymentResponse>(json, out var r, out error)
            && PisDialects.TryParsePayment(r.Data, r.Data?.Initiation?.InstructedAmount, out payment, out error);
    }

    private static V3Initiation Initiation(PaymentInstruction i) => new()
    {
        InstructionIdentification = i.InstructionIdentification,
        EndToEndIdentification = i.EndToEndIdentification,
        InstructedAmount = PisDialects.Amount(i.Amount),
        DebtorAccount = PisDialects.Account(i.Debtor),
        CreditorAccount = PisDialects.Account(i.Creditor),
        RemittanceInformation = i.Reference is null ? null : new V3Remittance { Reference = i.Reference },
    };
}
