namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// Sweeping VRP for recharging a channel: one consent authorised once, then many sweeps into the platform account,
/// each exactly once per operation id, within the consent's limits (checked here before the bank is called, and by
/// the bank). Refusals are data (<see cref="SweepOutcome"/>); exceptions are for infrastructure faults.
/// </summary>
public interface IVrpSweeps
{
    /// <summary>
    /// Creates a sweeping consent at <paramref name="bank"/> (idempotent per <paramref name="operationId"/>) and
    /// returns it with the authorisation URL for the customer.
    /// </summary>
    Task<VrpConsentSetup> CreateConsentAsync(string bank, VrpConsentTerms terms, string operationId, CancellationToken cancellationToken);

    /// <summary>Completes the customer's authorisation from the redirect (code and state); the consent can then be swept.</summary>
    Task<VrpConsentView> CompleteAuthorizationAsync(VrpConsentSetup setup, string code, string state, CancellationToken cancellationToken);

    /// <summary>Sandboxes only (HeadlessAuthorization): follows the authorisation URL as the customer and completes it.</summary>
    Task<VrpConsentView> AuthorizeHeadlessAsync(VrpConsentSetup setup, CancellationToken cancellationToken);

    /// <summary>The consent as held here, or null.</summary>
    Task<VrpConsentView?> GetConsentAsync(string consentId, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a sweep of <paramref name="amountMinor"/> pence under <paramref name="consentId"/>. The sweep is saved
    /// (with its idempotency key, derived from <paramref name="operationId"/>) before the bank is called; calling again
    /// with the same operation id never pays twice (it returns <see cref="SweepOutcomeKind.Exists"/> and, if the first
    /// call's answer was lost, resends the same request, which the bank answers with the same payment).
    /// </summary>
    Task<SweepOutcome> StartSweepAsync(string consentId, string operationId, long amountMinor, CancellationToken cancellationToken);

    /// <summary>The sweep of <paramref name="operationId"/>, or null.</summary>
    Task<SweepStatus?> GetSweepStatusAsync(string operationId, CancellationToken cancellationToken);

    /// <summary>One step: resends a Pending sweep (same key and bytes) or polls a Submitted one; a final sweep is returned as it is.</summary>
    Task<SweepStatus> AdvanceSweepAsync(string operationId, CancellationToken cancellationToken);

    /// <summary>
    /// Advances the sweep every <paramref name="interval"/> (on the service's TimeProvider) until it is final or
    /// <paramref name="maxPolls"/> steps were made; returns it as it then stands.
    /// </summary>
    Task<SweepStatus> PollUntilFinalAsync(string operationId, TimeSpan interval, int maxPolls, CancellationToken cancellationToken);

    /// <summary>
    /// The most that can be swept under the consent now without breaking a limit (pence): the smaller of
    /// MaximumIndividualAmount and what every periodic limit has left; 0 when the consent cannot be swept.
    /// </summary>
    Task<long> AvailableAllowanceAsync(string consentId, CancellationToken cancellationToken);

    /// <summary>Advances every sweep that is not final (after a restart); returns them.</summary>
    Task<IReadOnlyList<SweepStatus>> ResumeAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the consent at the bank (DELETE) and here; later sweeps are refused.</summary>
    Task RevokeConsentAsync(string consentId, CancellationToken cancellationToken);
}
