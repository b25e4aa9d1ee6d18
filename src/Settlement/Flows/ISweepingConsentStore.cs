namespace Settlement.Service.Flows;

/// <summary>Where the registered sweeping consents live (the flow store's database; registered once, never changed).</summary>
public interface ISweepingConsentStore
{
    /// <summary>Inserts <paramref name="consent"/>; false when its id exists (nothing written).</summary>
    Task<bool> TryInsertSweepingConsentAsync(SweepingConsent consent, CancellationToken cancellationToken = default);

    /// <summary>The consent, or null.</summary>
    Task<SweepingConsent?> GetSweepingConsentAsync(string consentId, CancellationToken cancellationToken = default);
}
