using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;
using NethereumModel = Nethereum.Model;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// An unsigned Ethereum transaction: <see cref="Eip1559Transaction"/> (type 2) or
/// <see cref="LegacyTransaction"/> (type 0, with or without EIP-155 replay protection). A typed,
/// validated front for Nethereum's transaction model: encoding and the signing hash (Nethereum.Model,
/// Nethereum.RLP) are Nethereum's; the signature is made by our secp256k1 path.
/// </summary>
public abstract record Transaction
{
    private protected static readonly BigInteger MaxUInt256 = (BigInteger.One << 256) - 1;

    private protected Transaction()
    {
    }

    /// <summary>The EIP-2718 type: 0 legacy, 2 EIP-1559.</summary>
    public abstract byte Type { get; }

    /// <summary>The chain id, or null for a legacy transaction without replay protection.</summary>
    public abstract ulong? TransactionChainId { get; }

    /// <summary>The sender's nonce.</summary>
    public required ulong Nonce { get; init; }

    /// <summary>The gas limit.</summary>
    public required ulong GasLimit { get; init; }

    /// <summary>The recipient; null creates a contract from <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    /// <summary>Wei transferred.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data, or init code for a creation.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>The bytes whose Keccak-256 is signed (for type 2 these start with the type byte).</summary>
    public byte[] EncodeForSigning()
    {
        Validate();
        return ToNethereum().GetRLPEncodedRaw();
    }

    /// <summary>The hash the sender signs.</summary>
    public byte[] GetSigningHash() => Keccak256.Hash(EncodeForSigning());

    /// <summary>
    /// Signs with <paramref name="key"/> (RFC 6979, low s) and returns the signed transaction. Nethereum's model
    /// gives the signing hash and the signed encoding; the signature is ours (libsecp256k1, BouncyCastle fallback):
    /// 51× faster than Nethereum's <c>EthECKey</c> and the key never leaves <see cref="PrivateKey"/>
    /// (docs/ethereum.md, transactions row).
    /// </summary>
    public SignedTransaction Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Validate();
        var model = ToNethereum();
        var signature = key.Sign(model.RawHash);
        model.SetSignature(new NethereumModel.Signature(signature.R.ToArray(), signature.S.ToArray(), Integer(WireV(signature.RecoveryId))));
        return new SignedTransaction(this, signature, model.GetRLPEncoded(), key.Address);
    }

    /// <summary>Checks field ranges; throws <see cref="ArgumentOutOfRangeException"/> naming the field.</summary>
    public virtual void Validate()
    {
        CheckUInt256(Value, nameof(Value));

        // EIP-2681: the nonce is below 2^64 - 1.
        if (Nonce == ulong.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(Nonce), "A nonce must be below 2^64 - 1 (EIP-2681).");
        }

        ArgumentNullException.ThrowIfNull(Data, nameof(Data));
    }

    /// <summary>This transaction as Nethereum's unsigned model (call <see cref="Validate"/> first).</summary>
    internal abstract NethereumModel.SignedTransaction ToNethereum();

    /// <summary>The v value written into the signed encoding for <paramref name="recoveryId"/>.</summary>
    internal abstract BigInteger WireV(byte recoveryId);

    /// <summary>An RLP integer: big-endian, no leading zero bytes, zero as the empty string.</summary>
    internal static byte[] Integer(BigInteger value) =>
        value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);

    private protected static void CheckUInt256(BigInteger value, string name)
    {
        if (value.Sign < 0 || value > MaxUInt256)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be between 0 and 2^256 - 1.");
        }
    }
}
