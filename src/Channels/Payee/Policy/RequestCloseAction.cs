namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Ask the payer to close an idle channel cooperatively: the executor stores a <see cref="CloseRequest"/> (durable,
/// survives a restart), which the payee service shows the payer (docs/payee.md, "Cooperative idle close"). No
/// transaction. If the channel is still open after <see cref="PayeePolicyOptions.IdleCloseGrace"/>, the planner closes
/// it unilaterally (<see cref="CloseIdleAction"/>).
/// </summary>
/// <param name="Channel">The channel.</param>
public sealed record RequestCloseAction(PolicyChannel Channel) : PolicyAction
{
    /// <summary>Why (always <see cref="PolicyReason.Idle"/>).</summary>
    public PolicyReason Reason => PolicyReason.Idle;

    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => [Channel];
}
