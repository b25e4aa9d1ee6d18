namespace Settlement.Channels.Watchtower;

/// <summary>The same voucher was already held (a repeated update): nothing changed.</summary>
/// <param name="Delegation">What is held.</param>
public sealed record DelegationUnchanged(Delegation Delegation) : DelegationOutcome;
