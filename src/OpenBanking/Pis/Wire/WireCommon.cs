using System.Text.Json;
using System.Text.Json.Serialization;

namespace Settlement.OpenBanking.Pis.Wire;

// JSON shapes shared verbatim by OBIE PIS v3.1.11 and v4.0. Property names are the wire names.
#pragma warning disable CA1812 // instantiated by System.Text.Json

internal sealed class ObAmount
{
    public string? Amount { get; set; }

    public string? Currency { get; set; }
}

internal sealed class ObAccount
{
    public string? SchemeName { get; set; }

    public string? Identification { get; set; }

    public string? Name { get; set; }

    public string? SecondaryIdentification { get; set; }
}

internal sealed class ObRefund
{
    public ObAccount? Account { get; set; }
}

internal sealed class ObCharge
{
    public string? ChargeBearer { get; set; }

    public string? Type { get; set; }

    public ObAmount? Amount { get; set; }
}

internal sealed class ObStatusReason
{
    public string? StatusReasonCode { get; set; }

    public string? StatusReasonDescription { get; set; }

    public string? Path { get; set; }
}

internal sealed class ObAuthorisation
{
    public string? AuthorisationType { get; set; }

    public string? CompletionDateTime { get; set; }
}

/// <summary>The consent response's <c>Data</c> fields other than <c>Initiation</c>, alike in both versions (v3.1.11 never sends StatusReason).</summary>
internal abstract class ObConsentResponseData
{
    public string? ConsentId { get; set; }

    public string? Status { get; set; }

    public List<ObStatusReason>? StatusReason { get; set; }

    public string? CreationDateTime { get; set; }

    public string? StatusUpdateDateTime { get; set; }

    public string? ReadRefundAccount { get; set; }

    public string? CutOffDateTime { get; set; }

    public string? ExpectedExecutionDateTime { get; set; }

    public string? ExpectedSettlementDateTime { get; set; }

    public List<ObCharge>? Charges { get; set; }

    public ObAuthorisation? Authorisation { get; set; }

    public ObAccount? Debtor { get; set; }
}

/// <summary>The payment response's <c>Data</c> fields other than <c>Initiation</c>, alike in both versions (v3.1.11 never sends StatusReason).</summary>
internal abstract class ObPaymentResponseData
{
    public string? DomesticPaymentId { get; set; }

    public string? ConsentId { get; set; }

    public string? Status { get; set; }

    public List<ObStatusReason>? StatusReason { get; set; }

    public string? CreationDateTime { get; set; }

    public string? StatusUpdateDateTime { get; set; }

    public string? ExpectedExecutionDateTime { get; set; }

    public string? ExpectedSettlementDateTime { get; set; }

    public ObRefund? Refund { get; set; }

    public List<ObCharge>? Charges { get; set; }

    public ObAccount? Debtor { get; set; }
}

internal sealed class ObLinks
{
    public string? Self { get; set; }
}

internal sealed class ObMeta
{
    public int? TotalPages { get; set; }
}

internal sealed class ObErrorResponse
{
    public string? Code { get; set; }

    public string? Id { get; set; }

    public string? Message { get; set; }

    public List<ObError>? Errors { get; set; }
}

internal sealed class ObError
{
    public string? ErrorCode { get; set; }

    public string? Message { get; set; }

    public string? Path { get; set; }
}

internal sealed class ObFundsConfirmationResponse
{
    public ObFundsData? Data { get; set; }
}

internal sealed class ObFundsData
{
    public ObFundsResult? FundsAvailableResult { get; set; }
}

internal sealed class ObFundsResult
{
    public string? FundsAvailableDateTime { get; set; }

    public bool? FundsAvailable { get; set; }
}

internal sealed class ObPaymentDetailsResponse
{
    public ObPaymentDetailsData? Data { get; set; }
}

internal sealed class ObPaymentDetailsData
{
    public List<ObPaymentDetail>? PaymentStatus { get; set; }
}

internal sealed class ObPaymentDetail
{
    public string? PaymentTransactionId { get; set; }

    public string? Status { get; set; }

    public string? StatusUpdateDateTime { get; set; }

    public JsonElement? StatusDetail { get; set; }
}

internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = null,
    };
}
