using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// EIP-712 <c>CooperativeClose(bytes32 channelId,uint256 payerToPayee,uint256 payeeToPayer)</c>: the final
/// cumulative totals in each direction, signed by both parties for a cooperative close (docs/protocol.md).
/// </summary>
public sealed record CooperativeCloseState
{
    /// <summary>The EIP-712 type string.</summary>
    public const string TypeString = ChannelTypedData.CooperativeCloseType;

    /// <summary>Creates a final state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An amount is not a uint256.</exception>
    public CooperativeCloseState(ChannelId channelId, BigInteger payerToPayee, BigInteger payeeToPayer)
    {
        if (payerToPayee.Sign < 0 || payerToPayee > AbiWords.MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(payerToPayee), "An amount is a uint256.");
        }

        if (payeeToPayer.Sign < 0 || payeeToPayer > AbiWords.MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(payeeToPayer), "An amount is a uint256.");
        }

        ChannelId = channelId;
        PayerToPayee = payerToPayee;
        PayeeToPayer = payeeToPayer;
    }

    /// <summary>The channel.</summary>
    public ChannelId ChannelId { get; }

    /// <summary>Final cumulative amount paid by the payer to the payee.</summary>
    public BigInteger PayerToPayee { get; }

    /// <summary>Final cumulative amount paid by the payee to the payer.</summary>
    public BigInteger PayeeToPayer { get; }

    /// <summary>The digest both parties sign for <paramref name="domain"/>.</summary>
    public byte[] Digest(ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var digest = new byte[32];
        domain.TypedData.HashCooperativeClose(ChannelId.Bytes, PayerToPayee, PayeeToPayer, digest);
        return digest;
    }

    /// <summary>Signs the final state.</summary>
    public EcdsaSignature Sign(PrivateKey key, ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(Digest(domain));
    }

    /// <summary>Recovers the signer; false if the signature is malformed.</summary>
    public bool TryRecoverSigner(ChannelDomain domain, in EcdsaSignature signature, out Address signer) =>
        signature.TryRecoverAddress(Digest(domain), out signer);
}
