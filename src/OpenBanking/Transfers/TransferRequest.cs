using System.ComponentModel.DataAnnotations;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// A top-up or payout to start. <see cref="OperationId"/> makes the start idempotent: starting the
/// same id again returns the existing transfer (and refuses different parameters).
/// </summary>
public sealed record TransferRequest
{
    /// <summary>Caller's id for this transfer; generated when null.</summary>
    public Guid? OperationId { get; init; }

    /// <summary>Configured bank name.</summary>
    [Required]
    public required string Bank { get; init; }

    /// <summary>Amount in minor units (&gt; 0).</summary>
    [Range(typeof(long), "1", "9223372036854775807")]
    public required long AmountMinor { get; init; }

    /// <summary>ISO 4217 currency.</summary>
    [Required]
    [RegularExpression("^[A-Z]{3}$")]
    public string Currency { get; init; } = "GBP";

    /// <summary>
    /// The other party: for a top-up the customer's (debtor) account if known (null: the customer
    /// picks it at the bank); for a payout the merchant's (creditor) account, required.
    /// </summary>
    public AccountIdentification? Counterparty { get; init; }

    /// <summary>Creditor reference (≤ 18 characters, the Faster Payments limit; a longer one is refused before anything is sent).</summary>
    public string? Reference { get; init; }

    /// <summary>The OBIE <c>Risk</c> block; null takes the bank's <c>TopupRisk</c> / <c>PayoutRisk</c> options.</summary>
    public PaymentRisk? Risk { get; init; }
}
