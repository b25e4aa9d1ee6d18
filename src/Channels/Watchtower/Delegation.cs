using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// A channel a payee delegated to the watchtower: its parameters and the newest payer-signed voucher the watchtower
/// holds. A voucher can only pay the channel's payee, so holding it moves no funds anywhere else.
/// </summary>
/// <param name="Channel">The channel's parameters (its id is <c>Channel.Id</c>).</param>
/// <param name="Voucher">The newest voucher, signed by the channel's payer.</param>
/// <param name="ReceivedAt">When this voucher was accepted.</param>
/// <param name="CloseDeadline">The close deadline once a unilateral close was seen; null while open.</param>
/// <param name="Finished">True once the channel is settled: nothing more to guard.</param>
public sealed record Delegation(ChannelParameters Channel, SignedVoucher Voucher, DateTimeOffset ReceivedAt, ulong? CloseDeadline, bool Finished)
{
    /// <summary>The channel id.</summary>
    public ChannelId ChannelId => Voucher.Voucher.ChannelId;

    /// <summary>The voucher's cumulative amount.</summary>
    public System.Numerics.BigInteger Amount => Voucher.Voucher.CumulativeAmount;
}
