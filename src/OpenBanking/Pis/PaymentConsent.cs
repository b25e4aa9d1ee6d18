namespace Settlement.OpenBanking.Pis;

/// <summary>A domestic payment consent as the bank reported it (either spec version).</summary>
public sealed record PaymentConsent(string ConsentId, ConsentStatus Status, Money Amount, AccountIdentification Creditor,
    string InstructionIdentification, DateTimeOffset? StatusUpdated);
