namespace Settlement.Service.Flows;

/// <summary>
/// A sweeping VRP consent the user authorised at their bank once, registered against the channel it recharges. Its
/// control parameters (OBIE VRP <c>ControlParameters</c>) are kept here so a recharge above them is refused before the
/// bank is called; the bank enforces them as well and stays the authority. Registered once, never changed.
/// </summary>
public sealed record SweepingConsent
{
    /// <summary>The bank's consent id (1–128 characters).</summary>
    public required string ConsentId { get; init; }

    /// <summary>The user (the key of <see cref="SettlementAccounts.UserFunds"/>), ≤ 100 characters.</summary>
    public required string UserId { get; init; }

    /// <summary>The configured bank that holds the consent.</summary>
    public required string Bank { get; init; }

    /// <summary>The channel's payer (0x hex, stored lower-case).</summary>
    public required string PayerAddress { get; init; }

    /// <summary>The channel's payee (0x hex, stored lower-case).</summary>
    public required string PayeeAddress { get; init; }

    /// <summary>The channel the recharges top up (0x + 64 hex digits, stored lower-case).</summary>
    public required string ChannelId { get; init; }

    /// <summary><c>MaximumIndividualAmount</c>, pence (&gt; 0).</summary>
    public required long MaxPerPaymentPence { get; init; }

    /// <summary>The <c>PeriodicLimits</c> amount for <see cref="PeriodType"/>, pence (≥ <see cref="MaxPerPaymentPence"/>).</summary>
    public required long MaxPerPeriodPence { get; init; }

    /// <summary>The period of <see cref="MaxPerPeriodPence"/>.</summary>
    public required SweepPeriodType PeriodType { get; init; }

    /// <summary>How periods are aligned.</summary>
    public required SweepPeriodAlignment PeriodAlignment { get; init; }

    /// <summary><c>ValidFromDateTime</c>.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary><c>ValidToDateTime</c>, or null when open-ended.</summary>
    public DateTimeOffset? ValidTo { get; init; }
}
