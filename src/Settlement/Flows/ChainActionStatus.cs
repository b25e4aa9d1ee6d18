namespace Settlement.Service.Flows;

/// <summary>How a chain step ended.</summary>
public enum ChainActionStatus
{
    /// <summary>Mined successfully.</summary>
    Mined,

    /// <summary>Refused by the contract (at estimation, so nothing was sent, or mined with status 0).</summary>
    Reverted,
}
