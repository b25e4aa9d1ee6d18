namespace Settlement.Service.Flows;

/// <summary>Which state machine a stored flow runs.</summary>
public enum FlowKind
{
    /// <summary>A bank top-up that funds the user's channel (<see cref="TopupFlow"/>).</summary>
    Topup = 1,

    /// <summary>A merchant payout of a batch (<see cref="PayoutFlow"/>).</summary>
    Payout = 2,

    /// <summary>
    /// A recharge: a <see cref="TopupFlow"/> whose bank step is a sweeping VRP payment under a registered consent
    /// (<see cref="TopupRequest.SweepingConsentId"/>) instead of a PIS payment the user authorises each time.
    /// </summary>
    Recharge = 3,
}
