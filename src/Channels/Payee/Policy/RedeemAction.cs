namespace Settlement.Channels.Payee.Policy;

/// <summary>Redeem the newest voucher of one channel (<c>redeem</c>): the dispute, or a rule on an open channel.</summary>
/// <param name="Channel">The channel; its <see cref="PolicyChannel.Newest"/> is above what was redeemed.</param>
/// <param name="Reason">Why.</param>
public sealed record RedeemAction(PolicyChannel Channel, PolicyReason Reason) : PolicyAction
{
    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => [Channel];
}
