using System.Numerics;

namespace Settlement.Channels.Payer.Http;

/// <summary>How <see cref="PayerPaymentSource"/> funds a payee it has no channel with.</summary>
public sealed class PayerPaymentSourceOptions
{
    /// <summary>
    /// The deposit of a channel opened for a payee met through a 402 (base units; at least the offer's
    /// <c>minDeposit</c> and the amount asked). 0: never open a channel, pay only through existing ones.
    /// </summary>
    public BigInteger NewChannelDeposit { get; set; }

    /// <summary>How an ERC-20 deposit reaches the contract.</summary>
    public ChannelFunding Funding { get; set; } = ChannelFunding.Approve;
}
