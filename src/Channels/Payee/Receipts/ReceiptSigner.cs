using System.Collections.Concurrent;
using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee.Receipts;

/// <summary>
/// Signs receipts with the payee's key. Owns nothing: the key's lifetime is the caller's (a host loads it from a
/// keystore and disposes it at shutdown).
/// </summary>
public sealed class ReceiptSigner
{
    private readonly PrivateKey _key;
    private readonly ConcurrentDictionary<(ulong, Address), ChannelTypedData> _domains = new();

    /// <summary>Creates a signer for the payee's key.</summary>
    public ReceiptSigner(PrivateKey payeeKey)
    {
        ArgumentNullException.ThrowIfNull(payeeKey);
        _key = payeeKey;
        Payee = payeeKey.Address;
    }

    /// <summary>The payee's address (who receipts are signed by).</summary>
    public Address Payee { get; }

    /// <summary>Signs a receipt for <paramref name="cumulative"/> at <paramref name="issuedAt"/>.</summary>
    public PaymentReceipt Sign(ChannelKey key, BigInteger cumulative, ulong issuedAt)
    {
        var typedData = _domains.GetOrAdd((key.ChainId, key.Contract), k => ChannelTypedData.ForContract(k.Item1, k.Item2));
        Span<byte> digest = stackalloc byte[32];
        typedData.HashReceipt(key.ChannelId.Bytes, cumulative, issuedAt, digest);
        return new PaymentReceipt(key, cumulative, issuedAt, _key.Sign(digest));
    }

    /// <summary>
    /// Signs a payee → payer voucher (EIP-712 <c>Voucher</c>, the same type as the payer's: the contract tells the direction
    /// by the signer) of <paramref name="key"/>'s deployment: a refund of <paramref name="cumulative"/> in total.
    /// </summary>
    public EcdsaSignature SignRefund(ChannelKey key, BigInteger cumulative)
    {
        var typedData = _domains.GetOrAdd((key.ChainId, key.Contract), k => ChannelTypedData.ForContract(k.Item1, k.Item2));
        return typedData.SignVoucher(_key, key.ChannelId.Bytes, cumulative);
    }

    /// <summary>Signs a cooperative close (EIP-712 <c>CooperativeClose</c>) of <paramref name="key"/>'s deployment.</summary>
    public EcdsaSignature SignClose(ChannelKey key, BigInteger payerToPayee, BigInteger payeeToPayer, ulong deadline)
    {
        var typedData = _domains.GetOrAdd((key.ChainId, key.Contract), k => ChannelTypedData.ForContract(k.Item1, k.Item2));
        Span<byte> digest = stackalloc byte[32];
        typedData.HashCooperativeClose(key.ChannelId.Bytes, payerToPayee, payeeToPayer, deadline, digest);
        return _key.Sign(digest);
    }
}
