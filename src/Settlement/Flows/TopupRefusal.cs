namespace Settlement.Service.Flows;

/// <summary>Why <see cref="SettlementFlows.StartTopupAsync"/> refused a request; nothing was stored or sent.</summary>
public enum TopupRefusal
{
    /// <summary>The flow id is empty.</summary>
    FlowIdEmpty = 1,

    /// <summary>The user id is empty or longer than 100 characters.</summary>
    UserIdInvalid,

    /// <summary>No bank named.</summary>
    BankMissing,

    /// <summary>The amount is zero or negative.</summary>
    AmountNotPositive,

    /// <summary>The amount's tGBP value does not fit the ledger (far above any real top-up).</summary>
    AmountTooLarge,

    /// <summary>The payer is not a chain address.</summary>
    PayerAddressInvalid,

    /// <summary>The payee is not a chain address.</summary>
    PayeeAddressInvalid,

    /// <summary>The channel id is not 0x + 64 hex digits.</summary>
    ChannelIdInvalid,

    /// <summary>The reference is longer than 35 characters.</summary>
    ReferenceTooLong,

    /// <summary>The flow id names a top-up with other parameters (the stored one is unchanged).</summary>
    ExistsWithDifferentParameters,

    /// <summary>The flow id names a flow of another kind.</summary>
    ExistsAsOtherKind,

    /// <summary>A sweeping consent was named: recharges start through <see cref="SettlementFlows.StartRechargeAsync"/>.</summary>
    SweepingConsentGiven,
}
