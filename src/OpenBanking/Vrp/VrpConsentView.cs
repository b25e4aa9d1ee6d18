using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A sweeping consent as this connector holds it.</summary>
/// <param name="ConsentId">The bank's id.</param>
/// <param name="Bank">The bank.</param>
/// <param name="Status">The last known status.</param>
/// <param name="Terms">The limits (enforced here before every sweep, and by the bank).</param>
/// <param name="Created">The bank's CreationDateTime (anchor of consent-aligned periods).</param>
/// <param name="Debtor">The payer's account once known (fixed at authorisation).</param>
/// <param name="CanSweep">Authorised, inside its validity, with a token that can be renewed.</param>
public sealed record VrpConsentView(string ConsentId, string Bank, VrpConsentStatus Status, VrpConsentTerms Terms, DateTimeOffset Created, AccountIdentification? Debtor, bool CanSweep);
