namespace Settlement.Channels.Watchtower;

/// <summary>The request was refused; the held state is unchanged.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Detail">A sentence for the sender (no signature bytes).</param>
public sealed record DelegationRefused(DelegationRefusal Reason, string Detail) : DelegationOutcome;
