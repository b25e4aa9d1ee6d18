using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rlp;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// A signed transaction: its body, signature, raw network encoding, hash and recovered sender.
/// Decoding is strict: canonical RLP only, no trailing bytes, field sizes checked, low s
/// (EIP-2), r and s in range, a sender that recovers, and EIP-1559's fee ordering.
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
            ok = TryDecodeEip1559(raw, out transaction, out error);
        }
        else if (raw[0] >= 0xc0)
        {
            ok = TryDecodeLegacy(raw, out transaction, out error);
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

    private static bool TryDecodeEip1559(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (!Rlp.Rlp.TryDecode(raw[1..], out var item, out error))
        {
            error = "type 2 payload: " + error;
            return false;
        }

        if (!item.IsList || item.Items.Count != 12)
        {
            error = "a type 2 transaction is a list of 12 fields";
            return false;
        }

        var f = item.Items;
        if (!Int64(f[0], "chainId", out var chainId, out error) || !Int64(f[1], "nonce", out var nonce, out error)
            || !Int256(f[2], "maxPriorityFeePerGas", out var tip, out error) || !Int256(f[3], "maxFeePerGas", out var feeCap, out error)
            || !Int64(f[4], "gasLimit", out var gas, out error) || !To(f[5], out var to, out error)
            || !Int256(f[6], "value", out var value, out error) || !Bytes(f[7], "data", out var data, out error)
            || !AccessList(f[8], out var accessList, out error))
        {
            return false;
        }

        if (tip > feeCap)
        {
            error = "maxPriorityFeePerGas exceeds maxFeePerGas";
            return false;
        }

        if (!f[9].TryGetInteger(out var yParity, maxBytes: 1) || yParity > 1)
        {
            error = "yParity must be 0 or 1";
            return false;
        }

        var body = new Eip1559Transaction
        {
            ChainId = chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = tip,
            MaxFeePerGas = feeCap,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data,
            AccessList = accessList,
        };
        return Finish(body, raw, f[10], f[11], (byte)yParity, out transaction, out error);
    }

    private static bool TryDecodeLegacy(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (!Rlp.Rlp.TryDecode(raw, out var item, out error))
        {
            return false;
        }

        if (!item.IsList || item.Items.Count != 9)
        {
            error = "a legacy transaction is a list of 9 fields";
            return false;
        }

        var f = item.Items;
        if (!Int64(f[0], "nonce", out var nonce, out error) || !Int256(f[1], "gasPrice", out var gasPrice, out error)
            || !Int64(f[2], "gasLimit", out var gas, out error) || !To(f[3], out var to, out error)
            || !Int256(f[4], "value", out var value, out error) || !Bytes(f[5], "data", out var data, out error))
        {
            return false;
        }

        if (!f[6].TryGetInteger(out var v, maxBytes: 9))
        {
            error = "v is not a canonical integer";
            return false;
        }

        ulong? chainId;
        byte recoveryId;
        if (v == 27 || v == 28)
        {
            chainId = null;
            recoveryId = (byte)(v - 27);
        }
        else if (v >= 37)
        {
            // EIP-155: v = chainId * 2 + 35 + recoveryId.
            var id = (v - 35) / 2;
            if (id > ulong.MaxValue)
            {
                error = "chain id in v does not fit in 64 bits";
                return false;
            }

            chainId = (ulong)id;
            recoveryId = (byte)((v - 35) % 2);
        }
        else
        {
            error = $"v = {v} is neither 27/28 nor an EIP-155 value";
            return false;
        }

        var body = new LegacyTransaction
        {
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data,
        };
        return Finish(body, raw, f[7], f[8], recoveryId, out transaction, out error);
    }

    private static bool Finish(Transaction body, ReadOnlySpan<byte> raw, RlpItem rItem, RlpItem sItem, byte recoveryId, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (body.Nonce == ulong.MaxValue)
        {
            error = "nonce must be below 2^64 - 1 (EIP-2681)";
            return false;
        }

        Span<byte> r = stackalloc byte[32];
        Span<byte> s = stackalloc byte[32];
        if (!Word(rItem, r) || !Word(sItem, s))
        {
            error = "r and s must be canonical integers of at most 32 bytes";
            return false;
        }

        if (!EcdsaSignature.TryCreate(r, s, recoveryId, out var signature))
        {
            error = "signature out of range (r or s zero or not below the curve order, or s in the upper half: EIP-2)";
            return false;
        }

        if (!signature.TryRecoverAddress(Keccak256.Hash(body.EncodeUnsignedPayload()), out var sender))
        {
            error = "no sender can be recovered from the signature";
            return false;
        }

        transaction = new SignedTransaction(body, signature, raw.ToArray(), sender);
        error = string.Empty;
        return true;
    }

    private static bool Word(RlpItem item, Span<byte> destination)
    {
        if (item.IsList || item.Bytes.Length > 32 || (item.Bytes.Length > 0 && item.Bytes[0] == 0))
        {
            return false;
        }

        destination.Clear();
        item.Bytes.CopyTo(destination[(32 - item.Bytes.Length)..]);
        return true;
    }

    private static bool Int64(RlpItem item, string name, out ulong value, out string error)
    {
        error = item.TryGetUInt64(out value) ? string.Empty : $"{name} is not a canonical integer below 2^64";
        return error.Length == 0;
    }

    private static bool Int256(RlpItem item, string name, out BigInteger value, out string error)
    {
        error = item.TryGetInteger(out value) ? string.Empty : $"{name} is not a canonical integer below 2^256";
        return error.Length == 0;
    }

    private static bool Bytes(RlpItem item, string name, out byte[] value, out string error)
    {
        value = item.IsList ? [] : item.Bytes.ToArray();
        error = item.IsList ? $"{name} must be a byte string" : string.Empty;
        return !item.IsList;
    }

    private static bool To(RlpItem item, out Address? to, out string error)
    {
        to = null;
        if (item.IsList || (item.Bytes.Length != 0 && item.Bytes.Length != Address.Length))
        {
            error = "to must be empty (contract creation) or 20 bytes";
            return false;
        }

        if (item.Bytes.Length == Address.Length)
        {
            to = Address.FromBytes(item.Bytes);
        }

        error = string.Empty;
        return true;
    }

    private static bool AccessList(RlpItem item, out IReadOnlyList<AccessListEntry> list, out string error)
    {
        list = [];
        if (!item.IsList)
        {
            error = "accessList must be a list";
            return false;
        }

        var entries = new List<AccessListEntry>(item.Items.Count);
        foreach (var entry in item.Items)
        {
            if (!entry.IsList || entry.Items.Count != 2 || entry.Items[0].IsList || entry.Items[0].Bytes.Length != Address.Length || !entry.Items[1].IsList)
            {
                error = "an access list entry is [address (20 bytes), [storage keys]]";
                return false;
            }

            var keys = new List<byte[]>(entry.Items[1].Items.Count);
            foreach (var key in entry.Items[1].Items)
            {
                if (key.IsList || key.Bytes.Length != 32)
                {
                    error = "access list storage keys are 32 bytes";
                    return false;
                }

                keys.Add(key.Bytes.ToArray());
            }

            entries.Add(new AccessListEntry(Address.FromBytes(entry.Items[0].Bytes), keys));
        }

        list = entries;
        error = string.Empty;
        return true;
    }
}
