namespace Settlement.Service.Flows;

/// <summary>
/// A recharge to run: pull <see cref="AmountPence"/> from the user's bank under the registered sweeping consent
/// <see cref="ConsentId"/> and top up the consent's channel with the same value. Idempotent per
/// (<see cref="ConsentId"/>, <see cref="IdempotencyKey"/>): the flow id derives from both
/// (<see cref="FlowIds.Recharge"/>), so a repeat answers the same flow and never pays twice.
/// </summary>
public sealed record RechargeRequest
{
    /// <summary>The registered sweeping consent.</summary>
    public required string ConsentId { get; init; }

    /// <summary>The caller's key for this recharge (1–200 characters), e.g. the channel and its deposit at the low-balance crossing.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The amount in pence (&gt; 0, within the consent's limits).</summary>
    public required long AmountPence { get; init; }

    /// <summary>The channel the caller means (0x + 64 hex digits); must be the consent's channel. Null: the consent's.</summary>
    public string? ChannelId { get; init; }
}
