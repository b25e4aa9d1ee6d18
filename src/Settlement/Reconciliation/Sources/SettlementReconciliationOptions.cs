using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Reconciliation.Sources;

/// <summary>Settings of <see cref="SettlementReconciliation"/>.</summary>
public sealed class SettlementReconciliationOptions
{
    /// <summary>The indexer stream whose booked events are the chain side (the indexer's <c>Stream</c>).</summary>
    [Required]
    public string? Stream { get; set; }

    /// <summary>Rules of the <c>bank-ledger</c> pairing (pence).</summary>
    public ReconciliationRules BankRules { get; set; } = new();

    /// <summary>Rules of the <c>chain-ledger</c> pairing (tGBP base units).</summary>
    public ReconciliationRules ChainRules { get; set; } = new();
}
