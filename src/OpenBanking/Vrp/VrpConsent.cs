using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A domestic VRP consent as the bank reports it.</summary>
/// <param name="ConsentId">The bank's id.</param>
/// <param name="Status">The status.</param>
/// <param name="StatusCode">The status as sent (AWAU, AUTH, …).</param>
/// <param name="Created">CreationDateTime (the anchor of consent-aligned periods when ValidFrom is absent).</param>
/// <param name="Terms">The control parameters the bank holds.</param>
/// <param name="Creditor">Initiation.CreditorAccount.</param>
/// <param name="Debtor">The debtor account (the consent's, or the one fixed at authorisation), when reported.</param>
public sealed record VrpConsent(string ConsentId, VrpConsentStatus Status, string StatusCode, DateTimeOffset Created, VrpConsentTerms Terms, AccountIdentification Creditor, AccountIdentification? Debtor);
