using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Watchtower;

/// <summary>An untrusted delegation or voucher update, as received (nothing checked yet).</summary>
/// <param name="ChainId">The chain the sender says the channel is on.</param>
/// <param name="Contract">The contract the sender says the channel is in.</param>
/// <param name="Channel">The channel's parameters.</param>
/// <param name="ChannelId">The channel id the voucher is for.</param>
/// <param name="CumulativeAmount">The voucher's cumulative amount.</param>
/// <param name="Signature">The voucher signature, 65 bytes r‖s‖v.</param>
public sealed record DelegationRequest(
    ulong ChainId, Address Contract, ChannelParameters Channel, ChannelId ChannelId, BigInteger CumulativeAmount, ReadOnlyMemory<byte> Signature);
