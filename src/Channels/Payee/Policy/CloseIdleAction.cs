namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Start a unilateral close of an idle channel, redeeming the newest voucher in the same transaction
/// (<c>startCloseWithVoucher</c>; plain <c>startClose</c> when nothing new is left to redeem). The payee settles it
/// after the deadline (<see cref="SettleAction"/>). Planned when the payer did not close cooperatively within
/// <see cref="PayeePolicyOptions.IdleCloseGrace"/> of the payee's <see cref="RequestCloseAction"/> (or at once when the
/// grace is unset).
/// </summary>
/// <param name="Channel">The channel.</param>
public sealed record CloseIdleAction(PolicyChannel Channel) : PolicyAction
{
    /// <summary>Why (always <see cref="PolicyReason.Idle"/>).</summary>
    public PolicyReason Reason => PolicyReason.Idle;

    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => [Channel];
}
