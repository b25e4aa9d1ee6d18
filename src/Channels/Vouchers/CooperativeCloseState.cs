using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// EIP-712 <c>CooperativeClose(bytes32 channelId,uint256 payerToPayee,uint256 payeeToPayer,uint256 deadline)</c>: the
/// final cumulative totals in each direction, signed by both parties for a cooperative close, valid on chain until
/// <see cref="Deadline"/> (docs/protocol.md, "Close agreements"). A party that signed one accepts no voucher above its
/// own total until the deadline has passed on chain or the close has landed.
/// </summary>
public sealed record CooperativeCloseState
{
    /// <summary>The EIP-712 type string.</summary>
    public const string TypeString = ChannelTypedData.CooperativeCloseType;

    /// <summary>Creates a final state.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="payerToPayee">Final cumulative amount paid by the payer to the payee.</param>
    /// <param name="payeeToPayer">Final cumulative amount paid by the payee to the payer.</param>
    /// <param name="deadline">Last unix time (seconds, inclusive) at which the contract accepts the agreement.</param>
    /// <exception cref="ArgumentOutOfRangeException">An amount is not a uint256, or the deadline is zero.</exception>
    public CooperativeCloseState(ChannelId channelId, BigInteger payerToPayee, BigInteger payeeToPayer, ulong deadline)
    {
        if (payerToPayee.Sign < 0 || payerToPayee > AbiWords.MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(payerToPayee), "An amount is a uint256.");
        }

        if (payeeToPayer.Sign < 0 || payeeToPayer > AbiWords.MaxUint256)
        {
            throw new ArgumentOutOfRangeException(nameof(payeeToPayer), "An amount is a uint256.");
        }

        if (deadline == 0)
        {
            // Zero is never in the future: an agreement that can never be used is a caller's bug.
            throw new ArgumentOutOfRangeException(nameof(deadline), "A close agreement's deadline is a unix time in seconds, not zero.");
        }

        ChannelId = channelId;
        PayerToPayee = payerToPayee;
        PayeeToPayer = payeeToPayer;
        Deadline = deadline;
    }

    /// <summary>The channel.</summary>
    public ChannelId ChannelId { get; }

    /// <summary>Final cumulative amount paid by the payer to the payee.</summary>
    public BigInteger PayerToPayee { get; }

    /// <summary>Final cumulative amount paid by the payee to the payer.</summary>
    public BigInteger PayeeToPayer { get; }

    /// <summary>Last unix time (seconds, inclusive) at which the contract accepts this agreement.</summary>
    public ulong Deadline { get; }

    /// <summary>True once the agreement is dead on chain: the chain's time <paramref name="chainTime"/> is past the deadline.</summary>
    public bool IsExpiredAt(ulong chainTime) => chainTime > Deadline;

    /// <summary>The digest both parties sign for <paramref name="domain"/>.</summary>
    public byte[] Digest(ChannelDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var digest = new byte[32];
        domain.TypedData.HashCooperativeClose(ChannelId.Bytes, PayerToPayee, PayeeToPayer, Deadline, digest);
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
