namespace Settlement.OpenBanking.Pis;

/// <summary>Funds confirmation for a consent (null <see cref="Available"/>: the bank gave no result).</summary>
public sealed record FundsAvailability(bool? Available, DateTimeOffset? CheckedAt);
