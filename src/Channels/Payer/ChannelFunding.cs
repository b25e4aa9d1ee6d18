namespace Settlement.Channels.Payer;

/// <summary>How an ERC-20 deposit is authorised (ETH is sent as the transaction's value).</summary>
public enum ChannelFunding
{
    /// <summary>The funder sends <c>approve(contract, deposit)</c> first, then opens (two transactions).</summary>
    Approve = 0,

    /// <summary>The funder already approved the contract; only the opening is sent.</summary>
    Allowance = 1,

    /// <summary><c>openWithPermit</c> with the funder's EIP-2612 signature: one transaction, no approval.</summary>
    Permit = 2,
}
