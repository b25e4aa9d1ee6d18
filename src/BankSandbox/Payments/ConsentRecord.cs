using System.Text.Json.Nodes;

namespace Settlement.BankSandbox.Payments;

internal enum ConsentState
{
    AwaitingAuthorisation,
    Authorised,
    Consumed,
    Rejected,

    /// <summary>VRP only: the TPP deleted the consent (CANC).</summary>
    Revoked,

    /// <summary>VRP only: ControlParameters.ValidToDateTime passed (EXPD).</summary>
    Expired,
}

/// <summary>A domestic payment consent as the bank holds it. Mutated only under the ledger's gate.</summary>
internal sealed class ConsentRecord
{
    public required string ConsentId { get; init; }

    public required string ClientId { get; init; }

    public required PisVersion Version { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required JsonObject Initiation { get; init; }

    public required JsonObject Risk { get; init; }

    public required long AmountMinor { get; init; }

    public required string CreditorAccount { get; init; }

    public string? DebtorAccount { get; init; }

    /// <summary>Data.ReadRefundAccount was Yes: the payment (and consent) responses carry the payer's account.</summary>
    public bool ReadRefundAccount { get; init; }

    /// <summary>Data.Authorisation as requested (echoed in responses); null when absent.</summary>
    public JsonObject? Authorisation { get; init; }

    /// <summary>Data.Authorisation.CompletionDateTime: after it the consent can no longer be authorised (Rejected).</summary>
    public DateTimeOffset? AuthorisationDeadline { get; init; }

    public ConsentState State { get; set; }

    public DateTimeOffset StatusUpdated { get; set; }

    /// <summary>The debtor fixed at authorisation (the consent's, or the one the customer picked).</summary>
    public string? AuthorisedDebtor { get; set; }

    public string? PaymentId { get; set; }

    /// <summary>A domestic VRP consent's parsed control parameters; null for a single domestic payment consent.</summary>
    public Vrp.VrpTerms? Vrp { get; init; }
}
