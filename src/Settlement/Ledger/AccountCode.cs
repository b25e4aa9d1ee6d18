namespace Settlement.Service.Ledger;

/// <summary>What an account is for (its <see cref="Account.Code"/>). The ledger only requires a non-zero code.</summary>
public enum AccountCode : ushort
{
    /// <summary>A payer: money a user has put in (GBP) or holds in channels (tGBP).</summary>
    User = 1,

    /// <summary>A payee: what a merchant has earned and not yet been paid out.</summary>
    Merchant = 2,

    /// <summary>The platform's treasury (on-chain wallet, issued stablecoin).</summary>
    Treasury = 3,

    /// <summary>The platform's bank account: GBP received from or paid to banks through PIS/VRP.</summary>
    BankClearing = 4,

    /// <summary>Stablecoin held by the channel contract on chain.</summary>
    ChannelEscrow = 5,

    /// <summary>Fees the platform earned (and gas it spent).</summary>
    Fees = 6,

    /// <summary>An on-chain address's token balance as the chain indexer saw it (docs/indexer.md).</summary>
    OnChainWallet = 7,

    /// <summary>A token's issuance as the chain indexer saw it: debited by mints, credited by burns.</summary>
    TokenIssuance = 8,

    /// <summary>Payouts the channel contract owes an address after a failed push (its <c>owed</c> mapping).</summary>
    DeferredPayout = 9,
}
