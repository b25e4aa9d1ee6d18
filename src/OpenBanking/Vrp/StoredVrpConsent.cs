using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A VRP consent row: what the bank reported plus the customer's tokens (secrets: never logged).</summary>
internal sealed record StoredVrpConsent(
    string ConsentId,
    string Bank,
    VrpConsentStatus Status,
    DateTimeOffset Created,
    VrpConsentTerms Terms,
    AccountIdentification Creditor,
    AccountIdentification? Debtor,
    string? AccessToken,
    DateTimeOffset? AccessExpires,
    string? RefreshToken)
{
    public VrpConsent ToConsent() => new(ConsentId, Status, Status.ToString(), Created, Terms, Creditor, Debtor);

    public override string ToString() => $"StoredVrpConsent({ConsentId}, {Bank}, {Status})";
}
