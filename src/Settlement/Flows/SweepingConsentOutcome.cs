namespace Settlement.Service.Flows;

/// <summary>What <see cref="SettlementFlows.RegisterSweepingConsentAsync"/> did.</summary>
public enum SweepingConsentOutcome
{
    /// <summary>Stored now.</summary>
    Registered = 1,

    /// <summary>The same consent was registered before (nothing changed).</summary>
    AlreadyRegistered,

    /// <summary>The id is registered with other parameters (the stored one is unchanged).</summary>
    ExistsWithDifferentParameters,

    /// <summary>The consent is not valid (see the detail); nothing stored.</summary>
    Invalid,
}
