namespace Settlement.BankSandbox.Payments;

/// <summary>Status codes per version: v3.1.11 long names, v4.0 ISO 20022 codes.</summary>
internal static class StatusNames
{
    public static string Consent(ConsentState state, PisVersion version) => (state, version) switch
    {
        (ConsentState.AwaitingAuthorisation, PisVersion.V4) => "AWAU",
        (ConsentState.Authorised, PisVersion.V4) => "AUTH",
        (ConsentState.Consumed, PisVersion.V4) => "COND",
        (ConsentState.Rejected, PisVersion.V4) => "RJCT",
        (ConsentState.Revoked, PisVersion.V4) => "CANC",
        (ConsentState.Expired, PisVersion.V4) => "EXPD",
        (ConsentState.AwaitingAuthorisation, _) => "AwaitingAuthorisation",
        (ConsentState.Authorised, _) => "Authorised",
        (ConsentState.Consumed, _) => "Consumed",
        (ConsentState.Rejected, _) => "Rejected",
        (ConsentState.Revoked, _) => "Revoked",
        (ConsentState.Expired, _) => "Expired",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static string Payment(PaymentState state, PisVersion version) => (state, version) switch
    {
        (PaymentState.Received, PisVersion.V4) => "RCVD",
        (PaymentState.InProcess, PisVersion.V4) => "ACSP",
        (PaymentState.Completed, PisVersion.V4) => "ACSC",
        (PaymentState.Rejected, PisVersion.V4) => "RJCT",
        (PaymentState.Received, _) => "Pending",
        (PaymentState.InProcess, _) => "AcceptedSettlementInProcess",
        (PaymentState.Completed, _) => "AcceptedSettlementCompleted",
        (PaymentState.Rejected, _) => "Rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>payment-details status; v4's enum there has no RCVD, so a received payment reads as PDNG.</summary>
    public static string Detail(PaymentState state, PisVersion version) =>
        state == PaymentState.Received && version == PisVersion.V4 ? "PDNG" : Payment(state, version);
}
