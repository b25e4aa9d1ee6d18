using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rlp;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// An unsigned Ethereum transaction: <see cref="Eip1559Transaction"/> (type 2) or
/// <see cref="LegacyTransaction"/> (type 0, with or without EIP-155 replay protection).
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
        return EncodeUnsignedPayload();
    }

    /// <summary>The hash the sender signs.</summary>
    public byte[] GetSigningHash() => Keccak256.Hash(EncodeForSigning());

    /// <summary>Signs with <paramref name="key"/> (RFC 6979, low s) and returns the signed transaction.</summary>
    public SignedTransaction Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = GetSigningHash();
        var signature = key.Sign(hash);
        var raw = EncodeSigned(signature);
        return new SignedTransaction(this, signature, raw, key.Address);
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

    internal abstract byte[] EncodeUnsignedPayload();

    internal abstract byte[] EncodeSigned(in EcdsaSignature signature);

    /// <summary>The v value written into the signed encoding for <paramref name="recoveryId"/>.</summary>
    internal abstract BigInteger WireV(byte recoveryId);

    private protected static void CheckUInt256(BigInteger value, string name)
    {
        if (value.Sign < 0 || value > MaxUInt256)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be between 0 and 2^256 - 1.");
        }
    }

    private protected static RlpItem ToItem(Address? to) => to is { } address ? RlpItem.FromAddress(address) : RlpItem.Empty;

    private protected static RlpItem SignatureInteger(ReadOnlySpan<byte> word) =>
        RlpItem.FromInteger(new BigInteger(word, isUnsigned: true, isBigEndian: true));
}
