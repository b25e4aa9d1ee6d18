namespace Settlement.Service.Flows;

/// <summary>The result of <see cref="SettlementFlows.RegisterSweepingConsentAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Consent">The consent now stored under the id, or null when invalid.</param>
/// <param name="Detail">What was wrong, for a refusal.</param>
public sealed record SweepingConsentRegistration(SweepingConsentOutcome Outcome, SweepingConsent? Consent, string? Detail);
