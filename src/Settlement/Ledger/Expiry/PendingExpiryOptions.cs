using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Ledger.Expiry;

/// <summary>How often pending (two-phase) transfers past their timeout are expired. Section <see cref="SectionName"/>.</summary>
public sealed class PendingExpiryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Ledger:PendingExpiry";

    /// <summary>
    /// Time between expiry passes (Settlement:Ledger:PendingExpiry:Interval). A reservation outlives its timeout by at
    /// most this much; until expired it still holds the debit account's funds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}
