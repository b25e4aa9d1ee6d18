namespace Settlement.OpenBanking.Pis.Wire;

// OBIE PIS v3.1.11 (payment-initiation-openapi.v3.1.11.yaml): OBWriteDomesticConsent4,
// OBWriteDomesticConsentResponse5, OBWriteDomestic2, OBWriteDomesticResponse5.
#pragma warning disable CA1812 // instantiated by System.Text.Json

internal sealed class V3Remittance
{
    public string? Unstructured { get; set; }

    public string? Reference { get; set; }
}

internal sealed class V3Initiation
{
    public string? InstructionIdentification { get; set; }

    public string? EndToEndIdentification { get; set; }

    public ObAmount? InstructedAmount { get; set; }

    public ObAccount? DebtorAccount { get; set; }

    public ObAccount? CreditorAccount { get; set; }

    public V3Remittance? RemittanceInformation { get; set; }
}

internal sealed class V3ConsentRequest
{
    public V3ConsentRequestData? Data { get; set; }

    public PaymentRisk? Risk { get; set; }
}

internal sealed class V3ConsentRequestData
{
    public string? ReadRefundAccount { get; set; }

    public V3Initiation? Initiation { get; set; }
}

internal sealed class V3ConsentResponse
{
    public V3ConsentResponseData? Data { get; set; }
}

internal sealed class V3ConsentResponseData : ObConsentResponseData
{
    public V3Initiation? Initiation { get; set; }
}

internal sealed class V3PaymentRequest
{
    public V3PaymentRequestData? Data { get; set; }

    public PaymentRisk? Risk { get; set; }
}

internal sealed class V3PaymentRequestData
{
    public string? ConsentId { get; set; }

    public V3Initiation? Initiation { get; set; }
}

internal sealed class V3PaymentResponse
{
    public V3PaymentResponseData? Data { get; set; }
}

internal sealed class V3PaymentResponseData : ObPaymentResponseData
{
    public V3Initiation? Initiation { get; set; }
}
