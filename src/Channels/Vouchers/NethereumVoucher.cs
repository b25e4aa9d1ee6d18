using System.Numerics;
using Nethereum.ABI.EIP712;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// A voucher as a Nethereum EIP-712 message (docs/protocol.md, "EIP-712 typed data"), for applications that sign
/// with Nethereum's signers, such as an external or hardware signer behind <c>IEthExternalSigner</c>:
/// <c>Eip712TypedDataSigner.SignTypedDataV4(message, domain.ToNethereumTypedData(), signer)</c>. It gives the same
/// digest and signature as <see cref="Voucher.Sign"/> (tested on the ethers vectors), at Nethereum's speed
/// (docs/ethereum.md: about 70× slower than the fast path).
/// </summary>
[Struct("Voucher")]
public sealed class NethereumVoucher
{
    /// <summary>The 32-byte channel id.</summary>
    [Parameter("bytes32", "channelId", 1)]
    public byte[] ChannelId { get; set; } = [];

    /// <summary>The cumulative amount in token base units (or wei).</summary>
    [Parameter("uint256", "cumulativeAmount", 2)]
    public BigInteger CumulativeAmount { get; set; }

    /// <summary>The message of <paramref name="voucher"/>.</summary>
    public static NethereumVoucher From(Voucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return new NethereumVoucher { ChannelId = voucher.ChannelId.Bytes.ToArray(), CumulativeAmount = voucher.CumulativeAmount };
    }

    /// <summary>Nethereum's typed-data description of vouchers in <paramref name="domain"/>.</summary>
    public static TypedData<Domain> TypedDataFor(ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new TypedData<Domain>
        {
            Domain = new Domain
            {
                Name = ChannelDomain.Name,
                Version = ChannelDomain.Version,
                ChainId = domain.ChainId,
                VerifyingContract = domain.VerifyingContract.ToString(),
            },
            Types = MemberDescriptionFactory.GetTypesMemberDescription(typeof(Domain), typeof(NethereumVoucher)),
            PrimaryType = "Voucher",
        };
    }
}
