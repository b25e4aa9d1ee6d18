using Settlement.OpenBanking.Auth;

namespace Settlement.OpenBanking.Vrp;

/// <summary>A created sweeping consent awaiting the customer: send them to <see cref="Authorization"/>'s URL and keep it until the redirect.</summary>
/// <param name="Consent">The consent as stored.</param>
/// <param name="Authorization">The authorisation request (URL, state, PKCE verifier).</param>
public sealed record VrpConsentSetup(VrpConsentView Consent, AuthorizationRequest Authorization);
