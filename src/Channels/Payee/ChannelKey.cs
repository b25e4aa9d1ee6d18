using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee;

/// <summary>
/// A channel's identity across deployments: channel ids are only unique within one contract on one chain, so the
/// payee keys everything by (chain id, contract, channel id) and a voucher is never checked against another
/// deployment's channel.
/// </summary>
/// <param name="ChainId">The chain id of the EIP-712 domain.</param>
/// <param name="Contract">The <c>SettlementChannels</c> contract.</param>
/// <param name="ChannelId">The channel id inside that contract.</param>
public readonly record struct ChannelKey(ulong ChainId, Address Contract, ChannelId ChannelId)
{
    /// <inheritdoc />
    public override string ToString() => $"{ChainId}/{Contract}/{ChannelId}";
}
