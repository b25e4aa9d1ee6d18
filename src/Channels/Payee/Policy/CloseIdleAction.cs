namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Start a unilateral close of an idle channel, redeeming the newest voucher in the same transaction
/// (<c>startCloseWithVoucher</c>; plain <c>startClose</c> when nothing new is left to redeem). The payee settles it
/// after the deadline (<see cref="SettleAction"/>). A cooperative close of idle channels with signed close agreements
/// needs contract v2 and is not planned yet: it would be a second action type chosen here instead of this one.
/// </summary>
/// <param name="Channel">The channel.</param>
public sealed record CloseIdleAction(PolicyChannel Channel) : PolicyAction
{
    /// <summary>Why (always <see cref="PolicyReason.Idle"/>).</summary>
    public PolicyReason Reason => PolicyReason.Idle;

    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => [Channel];
}
