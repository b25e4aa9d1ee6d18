using System.ComponentModel.DataAnnotations;

namespace Settlement.SettlementService.Flows;

/// <summary>How the settlement service runs the platform's flows (top-ups that fund channels, merchant payouts).</summary>
public sealed class PlatformFlowsOptions
{
    /// <summary>
    /// The challenge period of the channels the platform opens on users' behalf, in seconds (the contract accepts
    /// 1 hour to 30 days).
    /// </summary>
    [Range(3600, 30 * 24 * 3600)]
    public uint ChallengePeriodSeconds { get; set; } = 24 * 3600;

    /// <summary>
    /// The SQLite file of the chain outbox (the platform's signed transactions, stored before they are sent). Null: the
    /// ledger's own file when the ledger is SQLite; required with a PostgreSQL ledger.
    /// </summary>
    public string? ChainOutboxPath { get; set; }

    /// <summary>How often every unfinished flow is advanced (also once at start).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the platform's transaction sender polls for a receipt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.005", "00:01:00")]
    public TimeSpan ReceiptPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
