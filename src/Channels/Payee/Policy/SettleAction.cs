namespace Settlement.Channels.Payee.Policy;

/// <summary>Settle a closing channel whose deadline has passed (<c>settle</c>).</summary>
/// <param name="Channel">The channel.</param>
public sealed record SettleAction(PolicyChannel Channel) : PolicyAction
{
    /// <summary>Why (always <see cref="PolicyReason.DeadlinePassed"/>).</summary>
    public PolicyReason Reason => PolicyReason.DeadlinePassed;

    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => [Channel];
}
