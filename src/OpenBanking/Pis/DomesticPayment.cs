namespace Settlement.OpenBanking.Pis;

/// <summary>A domestic payment as the bank reported it (either spec version).</summary>
public sealed record DomesticPayment(string PaymentId, string ConsentId, PaymentStatus Status, Money Amount, DateTimeOffset? StatusUpdated);
