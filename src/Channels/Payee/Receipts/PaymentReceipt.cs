using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee.Receipts;

/// <summary>
/// A payee's signed statement that it stored a voucher for <see cref="Cumulative"/> in a channel: EIP-712
/// <c>Receipt(bytes32 channelId,uint256 cumulativeAmount,uint64 issuedAt)</c> in the channel contract's domain.
/// The payer keeps it to prove what was acknowledged.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="Cumulative">The cumulative amount acknowledged.</param>
/// <param name="IssuedAt">Unix seconds when it was signed.</param>
/// <param name="Signature">The payee's signature.</param>
public sealed record PaymentReceipt(ChannelKey Key, BigInteger Cumulative, ulong IssuedAt, EcdsaSignature Signature)
{
    /// <summary>The EIP-712 digest that is signed.</summary>
    public byte[] Digest()
    {
        var digest = new byte[32];
        ChannelTypedData.ForContract(Key.ChainId, Key.Contract).HashReceipt(Key.ChannelId.Bytes, Cumulative, IssuedAt, digest);
        return digest;
    }

    /// <summary>True if the receipt was signed by <paramref name="payee"/> for this chain id and contract.</summary>
    public bool IsSignedBy(Address payee) =>
        Cumulative.Sign >= 0 && Signature.TryRecoverAddress(Digest(), out var signer) && signer == payee;
}
