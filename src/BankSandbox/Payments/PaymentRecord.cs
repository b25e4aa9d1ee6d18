using System.Text.Json.Nodes;

namespace Settlement.BankSandbox.Payments;

internal enum PaymentState
{
    Received,
    InProcess,
    Completed,
    Rejected,
}

/// <summary>A domestic payment. Mutated only under the ledger's gate.</summary>
internal sealed class PaymentRecord
{
    public required string PaymentId { get; init; }

    public required string ConsentId { get; init; }

    public required string ClientId { get; init; }

    public required PisVersion Version { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required JsonObject Initiation { get; init; }

    public required long AmountMinor { get; init; }

    public required string DebtorAccount { get; init; }

    public required string CreditorAccount { get; init; }

    public PaymentState State { get; set; }

    public DateTimeOffset StatusUpdated { get; set; }

    public List<(PaymentState State, DateTimeOffset At)> History { get; } = [];

    /// <summary>Per-request notification faults (x-sandbox-fault on the submission).</summary>
    public bool DuplicateNotifications { get; set; }

    public bool OutOfOrderNotifications { get; set; }

    /// <summary>A domestic VRP's Data.Instruction; null for a domestic payment.</summary>
    public JsonObject? VrpInstruction { get; init; }

    /// <summary>A domestic VRP's Risk (a VRP response echoes it).</summary>
    public JsonObject? Risk { get; init; }

    public bool IsVrp => VrpInstruction is not null;

    public bool IsFinal => State is PaymentState.Completed or PaymentState.Rejected;
}
