namespace Settlement.Service.Flows;

/// <summary>The <see cref="Ledger.Transfer.Code"/> of the GBP transfers the settlement flows book (2001–2099).</summary>
public enum SettlementTransferCode : ushort
{
    /// <summary>A top-up completed at the bank: bank clearing → user funds.</summary>
    TopupReceived = 2001,

    /// <summary>A user's funds put into a channel: user funds → stablecoin reserve (pending until the chain confirms).</summary>
    ChannelFunding = 2002,

    /// <summary>A top-up the bank returned: user funds → bank clearing.</summary>
    TopupReturned = 2003,

    /// <summary>A recharge (sweeping VRP payment) completed at the bank: bank clearing → user funds.</summary>
    RechargeReceived = 2004,

    /// <summary>A merchant's burned tGBP now owed in GBP: stablecoin reserve → merchant payable.</summary>
    PayoutBurned = 2011,

    /// <summary>The payout fee: merchant payable → fees.</summary>
    PayoutFee = 2012,

    /// <summary>The payout to the merchant's bank: merchant payable → bank clearing (pending until the bank confirms).</summary>
    PayoutPaid = 2013,

    /// <summary>A payout the bank returned: bank clearing → merchant payable.</summary>
    PayoutReturned = 2014,
}
