using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// A signed transaction: its body, signature, raw network encoding, hash and recovered sender.
/// Encoding and signing are Nethereum's (see <see cref="Transaction"/>). Decoding untrusted bytes
/// (<see cref="TryDecode(ReadOnlySpan{byte}, ulong?, out SignedTransaction?, out string)"/>) is
/// strict: canonical RLP only, no trailing bytes, field sizes checked, low s (EIP-2), r and s in
/// range, a sender that recovers, EIP-1559's fee ordering, and bytes that Nethereum re-encodes
/// exactly.
/// </summary>
public sealed class SignedTransaction
{
    private readonly byte[] _raw;
    private readonly byte[] _hash;

    internal SignedTransaction(Transaction transaction, EcdsaSignature signature, byte[] raw, Address sender)
    {
        Transaction = transaction;
        Signature = signature;
        _raw = raw;
        _hash = Keccak256.Hash(raw);
        Sender = sender;
    }

    /// <summary>The unsigned body.</summary>
    public Transaction Transaction { get; }

    /// <summary>The signature (recovery id 0/1).</summary>
    public EcdsaSignature Signature { get; }

    /// <summary>The v value as encoded: y parity for type 2, 27/28 or chainId·2+35+parity for legacy.</summary>
    public BigInteger V => Transaction.WireV(Signature.RecoveryId);

    /// <summary>The raw bytes sent with <c>eth_sendRawTransaction</c>.</summary>
    public ReadOnlySpan<byte> Raw => _raw;

    /// <summary>The transaction hash: Keccak-256 of <see cref="Raw"/>.</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>The sender recovered from (or signing) the signature.</summary>
    public Address Sender { get; }

    /// <summary>A copy of <see cref="Raw"/>.</summary>
    public byte[] ToArray() => _raw.ToArray();

    /// <summary>The 0x-hex of <see cref="Raw"/>.</summary>
    public string RawHex => Encoding.Hex.Encode(_raw);

    /// <summary>The 0x-hex of <see cref="Hash"/>.</summary>
    public string HashHex => Encoding.Hex.Encode(_hash);

    /// <summary>Decodes raw transaction bytes; see <see cref="TryDecode(ReadOnlySpan{byte}, ulong?, out SignedTransaction?, out string)"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a valid signed transaction (for that chain).</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw, ulong? expectedChainId = null) =>
        TryDecode(raw, expectedChainId, out var tx, out var error) ? tx : throw new FormatException("Invalid transaction: " + error);

    /// <summary>Decodes raw transaction bytes. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out SignedTransaction? transaction) =>
        TryDecode(raw, null, out transaction, out _);

    /// <summary>
    /// Decodes raw transaction bytes (type 2 or legacy) and recovers the sender. When
    /// <paramref name="expectedChainId"/> is given the transaction must be bound to that chain: a
    /// different chain id, or a pre-EIP-155 legacy transaction (valid on every chain), is rejected.
    /// Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> raw, ulong? expectedChainId, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (raw.IsEmpty)
        {
            error = "empty input";
            return false;
        }

        bool ok;
        if (raw[0] == Eip1559Transaction.TypeByte)
        {
            ok = RawTransactionDecoder.TryDecodeEip1559(raw, out transaction, out error);
        }
        else if (raw[0] >= 0xc0)
        {
            ok = RawTransactionDecoder.TryDecodeLegacy(raw, out transaction, out error);
        }
        else
        {
            error = raw[0] <= 0x7f ? $"unsupported transaction type 0x{raw[0]:x2}" : "not a transaction (a legacy transaction is an RLP list)";
            return false;
        }

        if (!ok || transaction is null)
        {
            transaction = null;
            return false;
        }

        if (expectedChainId is { } expected && transaction.Transaction.TransactionChainId != expected)
        {
            error = transaction.Transaction.TransactionChainId is { } actual
                ? $"chain id {actual} does not match the expected chain id {expected}"
                : $"a pre-EIP-155 transaction has no chain id and is not accepted for chain {expected}";
            transaction = null;
            return false;
        }

        return true;
    }
}
