using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// EIP-712 <c>Voucher(bytes32 channelId,uint256 cumulativeAmount)</c>: the signer has paid the other party of the
/// channel <see cref="CumulativeAmount"/> in total (docs/protocol.md). The signer decides the direction.
/// </summary>
public sealed record Voucher
{
    /// <summary>The EIP-712 type string.</summary>
    public const string TypeString = ChannelTypedData.VoucherType;

    /// <summary>Creates a voucher.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is not a uint256.</exception>
    public Voucher(ChannelId channelId, BigInteger cumulativeAmount)
    {
        if (cumulativeAmount.Sign < 0 || cumulativeAmount > AbiWords.MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(cumulativeAmount), "A cumulative amount is a uint256.");
        }

        ChannelId = channelId;
        CumulativeAmount = cumulativeAmount;
    }

    /// <summary>The channel.</summary>
    public ChannelId ChannelId { get; }

    /// <summary>Total paid by the signer in this channel, in base units.</summary>
    public BigInteger CumulativeAmount { get; }

    /// <summary>The digest signed for <paramref name="domain"/> (the contract's <c>voucherDigest</c>).</summary>
    public byte[] Digest(ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.TypedData.HashVoucher(ChannelId.Bytes, CumulativeAmount);
    }

    /// <summary>Signs the voucher (RFC 6979, low s).</summary>
    public EcdsaSignature Sign(PrivateKey key, ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(Digest(domain));
    }

    /// <summary>Recovers the signer; false if the signature is malformed or recovers no key.</summary>
    public bool TryRecoverSigner(ChannelDomain domain, in EcdsaSignature signature, out Address signer) =>
        signature.TryRecoverAddress(Digest(domain), out signer);
}
