namespace Settlement.Channels.Watchtower;

/// <summary>The outcome of a delegation or voucher update: <see cref="DelegationAccepted"/>, <see cref="DelegationUnchanged"/> or <see cref="DelegationRefused"/>.</summary>
public abstract record DelegationOutcome;
