namespace Settlement.Channels.Payee;

/// <summary>
/// The payee asked the payer to close an idle channel cooperatively (docs/payee.md, "Cooperative idle close"): made
/// visible to the payer from <see cref="RequestedAt"/>; if the channel is still open on chain after the policy's grace
/// period, the payee closes it unilaterally. A voucher received after <see cref="RequestedAt"/> withdraws the request.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="RequestedAt">When the payee's policy made the request (the payee's clock).</param>
public sealed record CloseRequest(ChannelKey Key, DateTimeOffset RequestedAt);
