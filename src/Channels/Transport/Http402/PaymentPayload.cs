using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport.Http402;

/// <summary>The <see cref="PaymentHeaders.Signature"/> header: a cumulative voucher of one channel.</summary>
/// <param name="ChainId">The chain id the voucher is signed for.</param>
/// <param name="Contract">The <c>SettlementChannels</c> contract the voucher is signed for.</param>
/// <param name="ChannelId">The channel.</param>
/// <param name="CumulativeAmount">The cumulative amount (everything paid in the channel so far, this request included).</param>
/// <param name="Signature">The payer's signature, r‖s‖v (65 bytes), exactly as received.</param>
public sealed record PaymentPayload(ulong ChainId, Address Contract, ChannelId ChannelId, BigInteger CumulativeAmount, ReadOnlyMemory<byte> Signature)
{
    /// <summary>The payload of a signed voucher.</summary>
    public static PaymentPayload FromVoucher(ulong chainId, Address contract, SignedVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return new(chainId, contract, voucher.Voucher.ChannelId, voucher.Voucher.CumulativeAmount, voucher.Signature.ToRsv());
    }
}
