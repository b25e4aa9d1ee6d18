using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Nethereum.Model;
using Nethereum.RLP;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;
using NethereumRlp = Nethereum.RLP.RLP;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// The one boundary where untrusted raw transaction bytes meet Nethereum. Order of work: the framing
/// is checked first (<see cref="RlpFraming"/>), so <c>Nethereum.RLP.RLP.Decode</c> only ever sees
/// input it decodes without throwing; each field of the decoded tree is then checked by shape
/// (<c>is RLPCollection</c>, never a cast) and as a canonical integer; the body is rebuilt as our
/// typed transaction, re-encoded by Nethereum's model and compared with the input byte for byte; the
/// sender is recovered from Nethereum's signing hash with our secp256k1 path, which reports an
/// unrecoverable signature as false. Nethereum's own path (<c>TransactionFactory</c> and
/// <c>TransactionVerificationAndRecovery</c>) is not used on untrusted bytes: measured with 6.1.0 it
/// throws <see cref="InvalidCastException"/> or <see cref="ArgumentOutOfRangeException"/> on wrong
/// shapes, <see cref="ArgumentException"/> ("Invalid point compression", BouncyCastle) or
/// <see cref="NullReferenceException"/> (with <c>EthECKey.SignRecoverable</c>) for an r that is no
/// curve point, and accepts trailing bytes. No exception is caught here because none is thrown.
/// Never throws.
/// </summary>
internal static class RawTransactionDecoder
{
    // Transaction list → access list → entry → storage keys.
    private const int MaxDepth = 4;

    public static bool TryDecodeEip1559(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (!TryDecodeList(raw[1..], "type 2 payload: ", 12, "a type 2 transaction is a list of 12 fields", out var f, out error))
        {
            return false;
        }

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

        if (!Integer(f[9], 1, out var yParity) || yParity > 1)
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

    public static bool TryDecodeLegacy(ReadOnlySpan<byte> raw, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
    {
        transaction = null;
        if (!TryDecodeList(raw, string.Empty, 9, "a legacy transaction is a list of 9 fields", out var f, out error))
        {
            return false;
        }

        if (!Int64(f[0], "nonce", out var nonce, out error) || !Int256(f[1], "gasPrice", out var gasPrice, out error)
            || !Int64(f[2], "gasLimit", out var gas, out error) || !To(f[3], out var to, out error)
            || !Int256(f[4], "value", out var value, out error) || !Bytes(f[5], "data", out var data, out error))
        {
            return false;
        }

        if (!Integer(f[6], 9, out var v))
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

    private static bool TryDecodeList(ReadOnlySpan<byte> payload, string framingErrorPrefix, int fields, string shape, [NotNullWhen(true)] out RLPCollection? list, out string error)
    {
        list = null;
        if (!RlpFraming.TryCheck(payload, MaxDepth, out error))
        {
            error = framingErrorPrefix + error;
            return false;
        }

        // Safe after the framing check: one item, every length in range, at most MaxDepth deep.
        if (NethereumRlp.Decode(payload.ToArray()) is not RLPCollection decoded || decoded.Count != fields)
        {
            error = shape;
            return false;
        }

        list = decoded;
        return true;
    }

    private static bool Finish(Transaction body, ReadOnlySpan<byte> raw, IRLPElement rItem, IRLPElement sItem, byte recoveryId, [NotNullWhen(true)] out SignedTransaction? transaction, out string error)
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

        // Nethereum's model rebuilds the signed bytes from the checked fields; they must be the input.
        var model = body.ToNethereum();
        model.SetSignature(new Signature(rItem.RLPData ?? [], sItem.RLPData ?? [], Transaction.Integer(body.WireV(recoveryId))));
        var encoded = model.GetRLPEncoded();
        if (!raw.SequenceEqual(encoded))
        {
            error = "not the canonical encoding of its fields (Nethereum re-encodes it differently)";
            return false;
        }

        if (!signature.TryRecoverAddress(model.RawHash, out var sender))
        {
            error = "no sender can be recovered from the signature";
            return false;
        }

        transaction = new SignedTransaction(body, signature, encoded, sender);
        error = string.Empty;
        return true;
    }

    // Nethereum's RLPItem gives null for the empty string.
    private static ReadOnlySpan<byte> StringBytes(IRLPElement item) => item.RLPData;

    private static bool Integer(IRLPElement item, int maxBytes, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (item is RLPCollection)
        {
            return false;
        }

        var bytes = StringBytes(item);
        if (bytes.Length > maxBytes || (bytes.Length > 0 && bytes[0] == 0))
        {
            return false;
        }

        value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    private static bool Word(IRLPElement item, Span<byte> destination)
    {
        if (!Integer(item, 32, out _))
        {
            return false;
        }

        var bytes = StringBytes(item);
        destination.Clear();
        bytes.CopyTo(destination[(32 - bytes.Length)..]);
        return true;
    }

    private static bool Int64(IRLPElement item, string name, out ulong value, out string error)
    {
        value = 0;
        if (!Integer(item, 8, out var big))
        {
            error = $"{name} is not a canonical integer below 2^64";
            return false;
        }

        value = (ulong)big;
        error = string.Empty;
        return true;
    }

    private static bool Int256(IRLPElement item, string name, out BigInteger value, out string error)
    {
        error = Integer(item, 32, out value) ? string.Empty : $"{name} is not a canonical integer below 2^256";
        return error.Length == 0;
    }

    private static bool Bytes(IRLPElement item, string name, out byte[] value, out string error)
    {
        var isList = item is RLPCollection;
        value = isList ? [] : StringBytes(item).ToArray();
        error = isList ? $"{name} must be a byte string" : string.Empty;
        return !isList;
    }

    private static bool To(IRLPElement item, out Address? to, out string error)
    {
        to = null;
        var bytes = item is RLPCollection ? default : StringBytes(item);
        if (item is RLPCollection || (bytes.Length != 0 && bytes.Length != Address.Length))
        {
            error = "to must be empty (contract creation) or 20 bytes";
            return false;
        }

        if (bytes.Length == Address.Length)
        {
            to = Address.FromBytes(bytes);
        }

        error = string.Empty;
        return true;
    }

    private static bool AccessList(IRLPElement item, out IReadOnlyList<AccessListEntry> list, out string error)
    {
        list = [];
        if (item is not RLPCollection items)
        {
            error = "accessList must be a list";
            return false;
        }

        var entries = new List<AccessListEntry>(items.Count);
        foreach (var entry in items)
        {
            if (entry is not RLPCollection { Count: 2 } pair || pair[0] is RLPCollection || StringBytes(pair[0]).Length != Address.Length
                || pair[1] is not RLPCollection storageKeys)
            {
                error = "an access list entry is [address (20 bytes), [storage keys]]";
                return false;
            }

            var keys = new List<byte[]>(storageKeys.Count);
            foreach (var key in storageKeys)
            {
                if (key is RLPCollection || StringBytes(key).Length != 32)
                {
                    error = "access list storage keys are 32 bytes";
                    return false;
                }

                keys.Add(key.RLPData);
            }

            entries.Add(new AccessListEntry(Address.FromBytes(StringBytes(pair[0])), keys));
        }

        list = entries;
        error = string.Empty;
        return true;
    }
}
