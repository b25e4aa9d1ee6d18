using Settlement.OpenBanking.Pis;

namespace Settlement.Service.Flows;

/// <summary>
/// A top-up to run: the user pays <see cref="AmountPence"/> from their bank, and the platform funds the user's channel
/// to <see cref="PayeeAddress"/> with the same value (a new channel, or <see cref="ChannelId"/> topped up).
/// Idempotent per <see cref="FlowId"/>: the same id with other parameters is refused.
/// </summary>
public sealed record TopupRequest
{
    /// <summary>The caller's id for this top-up (not empty); the ids of every step derive from it.</summary>
    public required Guid FlowId { get; init; }

    /// <summary>The user (the key of <see cref="SettlementAccounts.UserFunds"/>), ≤ 100 characters.</summary>
    public required string UserId { get; init; }

    /// <summary>The configured bank the user pays from.</summary>
    public required string Bank { get; init; }

    /// <summary>The amount in pence (&gt; 0).</summary>
    public required long AmountPence { get; init; }

    /// <summary>The user's chain address: the channel's payer (0x hex).</summary>
    public required string PayerAddress { get; init; }

    /// <summary>The merchant's chain address: the channel's payee (0x hex).</summary>
    public required string PayeeAddress { get; init; }

    /// <summary>An existing channel payer → payee to top up (0x + 64 hex digits), or null to open one.</summary>
    public string? ChannelId { get; init; }

    /// <summary>The bank remittance reference (≤ 35 characters); default "l2pay top-up".</summary>
    public string? Reference { get; init; }

    /// <summary>The user's bank account when known (the PIS debtor); null: the user picks it at the bank.</summary>
    public AccountIdentification? DebtorAccount { get; init; }

    /// <summary>
    /// For a recharge only (set by <see cref="SettlementFlows.StartRechargeAsync"/>, refused by
    /// <see cref="SettlementFlows.StartTopupAsync"/>): the sweeping consent the bank step pays under.
    /// </summary>
    public string? SweepingConsentId { get; init; }
}
