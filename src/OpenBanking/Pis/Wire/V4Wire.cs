namespace Settlement.OpenBanking.Pis.Wire;

// OBIE PIS v4.0 (payment-initiation-openapi.v4.0-update4.json): OBWriteDomesticConsent4,
// OBWriteDomesticConsentResponse5, OBWriteDomestic2, OBWriteDomesticResponse5.
#pragma warning disable CA1812 // instantiated by System.Text.Json

internal sealed class V4Remittance
{
    // v4.0 OBRemittanceInformation2: arrays instead of v3's Unstructured/Reference strings.
    public List<string>? Unstructured { get; set; }

    public List<V4StructuredRemittance>? Structured { get; set; }
}

internal sealed class V4StructuredRemittance
{
    public V4CreditorReference? CreditorReferenceInformation { get; set; }
}

internal sealed class V4CreditorReference
{
    public string? Reference { get; set; }
}

internal sealed class V4Initiation
{
    public string? InstructionIdentification { get; set; }

    public string? EndToEndIdentification { get; set; }

    public ObAmount? InstructedAmount { get; set; }

    public ObAccount? DebtorAccount { get; set; }

    public ObAccount? CreditorAccount { get; set; }

    public V4Remittance? RemittanceInformation { get; set; }
}

internal sealed class V4ConsentRequest
{
    public V4ConsentRequestData? Data { get; set; }

    public PaymentRisk? Risk { get; set; }
}

internal sealed class V4ConsentRequestData
{
    public string? ReadRefundAccount { get; set; }

    public V4Initiation? Initiation { get; set; }
}

internal sealed class V4ConsentResponse
{
    public V4ConsentResponseData? Data { get; set; }
}

internal sealed class V4ConsentResponseData : ObConsentResponseData
{
    public V4Initiation? Initiation { get; set; }
}

internal sealed class V4PaymentRequest
{
    public V4PaymentRequestData? Data { get; set; }

    public PaymentRisk? Risk { get; set; }
}

internal sealed class V4PaymentRequestData
{
    public string? ConsentId { get; set; }

    public V4Initiation? Initiation { get; set; }
}

internal sealed class V4PaymentResponse
{
    public V4PaymentResponseData? Data { get; set; }
}

internal sealed class V4PaymentResponseData : ObPaymentResponseData
{
    public V4Initiation? Initiation { get; set; }
}
