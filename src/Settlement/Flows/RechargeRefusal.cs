namespace Settlement.Service.Flows;

/// <summary>Why <see cref="SettlementFlows.StartRechargeAsync"/> refused a recharge; nothing was stored and the bank was not called.</summary>
public enum RechargeRefusal
{
    /// <summary>The idempotency key is empty or longer than 200 characters.</summary>
    IdempotencyKeyInvalid = 1,

    /// <summary>No sweeping consent is registered under this id.</summary>
    ConsentUnknown,

    /// <summary>The consent's <c>ValidFromDateTime</c> is in the future.</summary>
    ConsentNotYetValid,

    /// <summary>The consent's <c>ValidToDateTime</c> has passed.</summary>
    ConsentExpired,

    /// <summary>The channel named is not the consent's channel.</summary>
    ChannelMismatch,

    /// <summary>The amount is zero or negative.</summary>
    AmountNotPositive,

    /// <summary>The amount is above the consent's <c>MaximumIndividualAmount</c>.</summary>
    OverPaymentLimit,

    /// <summary>The amount is above what is left of the consent's periodic limit in the current period.</summary>
    OverPeriodLimit,

    /// <summary>The key names a recharge with other parameters (the stored one is unchanged).</summary>
    ExistsWithDifferentParameters,

    /// <summary>The derived flow id names a flow of another kind.</summary>
    ExistsAsOtherKind,
}
