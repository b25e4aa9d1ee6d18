namespace Settlement.Channels.Watchtower;

/// <summary>The voucher is now the newest held for its channel.</summary>
/// <param name="Delegation">What is held now.</param>
public sealed record DelegationAccepted(Delegation Delegation) : DelegationOutcome;
