namespace Settlement.OpenBanking.Vrp;

/// <summary>The answer to a VRP submission: the payment, or the bank's refusal as data (no payment exists).</summary>
/// <param name="Payment">The payment when the bank accepted the request.</param>
/// <param name="RefusalCodes">The OBIE error codes when it refused (e.g. U014 / UK.OBIE.Rules.FailsControlParameters).</param>
public sealed record VrpSubmission(VrpPayment? Payment, IReadOnlyList<string> RefusalCodes)
{
    /// <summary>True when the bank refused because a control parameter would be broken.</summary>
    public bool IsLimitRefusal => RefusalCodes.Any(c => c is "U014" or "UK.OBIE.Rules.FailsControlParameters");

    /// <summary>True when the consent is not usable (not authorised, revoked, expired).</summary>
    public bool IsConsentRefusal => RefusalCodes.Any(c => c is "U009" or "UK.OBIE.Resource.InvalidConsentStatus");
}
