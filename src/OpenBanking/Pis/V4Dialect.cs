using System.Diagnostics.CodeAnalysis;
using Settlement.OpenBanking.Pis.Wire;

namespace Settlement.OpenBanking.Pis;

/// <summary>OBIE PIS v4.0.</summary>
internal sealed class V4Dialect : IPisDialect
{
    public string BasePath => "/open-banking/v4.0/pisp";

    public byte[] ConsentRequest(PaymentInstruction instruction) =>
        PisDialects.Serialize(new V4ConsentRequest { Data = new V4ConsentRequestData { ReadRefundAccount = PisDialects.ReadRefund(instruction), Initiation = Initiation(instruction) }, Risk = PisDialects.Risk(instruction.Risk) });

    public byte[] PaymentRequest(string consentId, PaymentInstruction instruction) =>
        PisDialects.Serialize(new V4PaymentRequest { Data = new V4PaymentRequestData { ConsentId = consentId, Initiation = Initiation(instruction) }, Risk = PisDialects.Risk(instruction.Risk) });

    public bool TryParseConsent(ReadOnlySpan<byte> json, [NotNullWhen(true)] out PaymentConsent? consent, [NotNullWhen(false)] out string? error)
    {
        consent = null;
        return PisDialects.TryDeserialize<V4ConsentResponse>(json, out var r, out error)
            && PisDialects.TryParseConsent(r.Data, r.Data?.Initiation?.InstructionIdentification, r.Data?.Initiation?.InstructedAmount, r.Data?.Initiation?.CreditorAccount,
                out consent, out error);
    }

    public bool TryParsePayment(ReadOnlySpan<byte> json, [NotNullWhen(true)] out DomesticPayment? payment, [NotNullWhen(false)] out string? error)
    {
        payment = null;
        return PisDialects.TryDeserialize<V4PaymentResponse>(json, out var r, out error)
            && PisDialects.TryParsePayment(r.Data, r.Data?.Initiation?.InstructedAmount, out payment, out error);
    }

    private static V4Initiation Initiation(PaymentInstruction i) => new()
    {
        InstructionIdentification = i.InstructionIdentification,
        EndToEndIdentification = i.EndToEndIdentification,
        InstructedAmount = PisDialects.Amount(i.Amount),
        DebtorAccount = PisDialects.Account(i.Debtor),
        CreditorAccount = PisDialects.Account(i.Creditor),
        // v4.0 OBRemittanceInformation2: the creditor reference is structured
        // (Structured[].CreditorReferenceInformation.Reference), where v3.1.11 had RemittanceInformation.Reference.
        RemittanceInformation = i.Reference is null ? null : new V4Remittance { Structured = [new V4StructuredRemittance { CreditorReferenceInformation = new V4CreditorReference { Reference = i.Reference } }] },
    };
}
