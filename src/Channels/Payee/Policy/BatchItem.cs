namespace Settlement.Channels.Payee.Policy;

/// <summary>One channel in a <c>redeemBatch</c>, with why it was chosen.</summary>
/// <param name="Channel">The channel; its newest voucher is above what was redeemed.</param>
/// <param name="Reason">Why it is redeemed now.</param>
public sealed record BatchItem(PolicyChannel Channel, PolicyReason Reason);
