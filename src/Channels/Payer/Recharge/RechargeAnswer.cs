namespace Settlement.Channels.Payer.Recharge;

/// <summary>The settlement service's answer to a recharge request (untrusted; parsed, never thrown).</summary>
/// <param name="Accepted">True when the service stored the recharge (new, or the same key again).</param>
/// <param name="HttpStatus">The HTTP status.</param>
/// <param name="FlowId">The recharge flow, when accepted.</param>
/// <param name="State">The flow's state when answered (e.g. <c>Funded</c>, <c>AwaitingBank</c>, <c>Rejected</c>).</param>
/// <param name="Refusal">The refusal's name when not accepted (e.g. <c>OverPeriodLimit</c>), or the problem code of a rejected sweep.</param>
/// <param name="Detail">What the service said.</param>
public sealed record RechargeAnswer(bool Accepted, int HttpStatus, Guid? FlowId, string? State, string? Refusal, string? Detail)
{
    /// <summary>A malformed answer's refusal.</summary>
    public const string MalformedAnswer = "malformed-answer";
}
