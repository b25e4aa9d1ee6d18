using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.TypedData;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// The typed data of the <c>SettlementChannels</c> contract (docs/protocol.md, "EIP-712 typed data"),
/// without JSON on the hot path: the domain separator and type hashes are computed once; hashing a
/// voucher is two Keccak calls over stack buffers and allocates nothing.
/// </summary>
public sealed class ChannelTypedData
{
    /// <summary>The domain name used by the contract.</summary>
    public const string DomainName = "SettlementChannels";

    /// <summary>The domain version used by the contract.</summary>
    public const string DomainVersion = "2";

    /// <summary>encodeType of a voucher.</summary>
    public const string VoucherType = "Voucher(bytes32 channelId,uint256 cumulativeAmount)";

    /// <summary>encodeType of a cooperative close.</summary>
    public const string CooperativeCloseType = "CooperativeClose(bytes32 channelId,uint256 payerToPayee,uint256 payeeToPayer,uint256 deadline)";

    /// <summary>
    /// encodeType of a payee's receipt: the payee states it holds a voucher for <c>cumulativeAmount</c>, at
    /// <c>issuedAt</c> (unix seconds). Never checked by the contract; a payer keeps it as proof of what was
    /// acknowledged (docs/payee.md, "Receipts").
    /// </summary>
    public const string ReceiptType = "Receipt(bytes32 channelId,uint256 cumulativeAmount,uint64 issuedAt)";

    private static readonly byte[] VoucherTypeHashBytes = Keccak256.HashUtf8(VoucherType);
    private static readonly byte[] ReceiptTypeHashBytes = Keccak256.HashUtf8(ReceiptType);
    private static readonly byte[] CooperativeCloseTypeHashBytes = Keccak256.HashUtf8(CooperativeCloseType);

    /// <summary>Creates the typed data for one deployment.</summary>
    /// <param name="domain">The EIP-712 domain.</param>
    public ChannelTypedData(Eip712Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        Domain = domain;
    }

    /// <summary>The EIP-712 domain.</summary>
    public Eip712Domain Domain { get; }

    /// <summary>keccak256 of <see cref="VoucherType"/> (the contract's <c>VOUCHER_TYPEHASH()</c>).</summary>
    public static ReadOnlySpan<byte> VoucherTypeHash => VoucherTypeHashBytes;

    /// <summary>keccak256 of <see cref="CooperativeCloseType"/>.</summary>
    public static ReadOnlySpan<byte> CooperativeCloseTypeHash => CooperativeCloseTypeHashBytes;

    /// <summary>The contract's domain: name "SettlementChannels", version "2", chain id and contract address.</summary>
    /// <param name="chainId">The chain id.</param>
    /// <param name="verifyingContract">The SettlementChannels contract.</param>
    public static ChannelTypedData ForContract(BigInteger chainId, Address verifyingContract) =>
        new(new Eip712Domain(DomainName, DomainVersion, chainId, verifyingContract));

    /// <summary>Writes the EIP-712 digest of <c>Voucher(channelId, cumulativeAmount)</c>; allocation-free.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount, 0 ≤ amount &lt; 2^256.</param>
    /// <param name="digest">Receives 32 bytes.</param>
    public void HashVoucher(ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount, Span<byte> digest)
    {
        CheckChannelId(channelId);
        Span<byte> buffer = stackalloc byte[96];
        VoucherTypeHashBytes.CopyTo(buffer);
        channelId.CopyTo(buffer[32..]);
        Eip712Encoding.WriteUInt256(cumulativeAmount, buffer[64..96], nameof(cumulativeAmount));
        Span<byte> structHash = stackalloc byte[32];
        Keccak256.Hash(buffer, structHash);
        Domain.Digest(structHash, digest);
    }

    /// <summary>The EIP-712 digest of a voucher.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount.</param>
    public byte[] HashVoucher(ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount)
    {
        var digest = new byte[32];
        HashVoucher(channelId, cumulativeAmount, digest);
        return digest;
    }

    /// <summary>Signs a voucher (low-s, v = 27/28 in <see cref="EcdsaSignature.ToRsv"/>).</summary>
    /// <param name="key">The signer's key.</param>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount.</param>
    public EcdsaSignature SignVoucher(PrivateKey key, ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[32];
        HashVoucher(channelId, cumulativeAmount, digest);
        return key.Sign(digest);
    }

    /// <summary>Recovers the signer of a voucher; false when no key matches.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount.</param>
    /// <param name="signature">The signature.</param>
    /// <param name="signer">The signer's address.</param>
    public bool TryRecoverVoucherSigner(ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount, in EcdsaSignature signature, out Address signer)
    {
        Span<byte> digest = stackalloc byte[32];
        HashVoucher(channelId, cumulativeAmount, digest);
        return signature.TryRecoverAddress(digest, out signer);
    }

    /// <summary>Writes the EIP-712 digest of <c>Receipt(channelId, cumulativeAmount, issuedAt)</c>.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount acknowledged.</param>
    /// <param name="issuedAt">Unix seconds.</param>
    /// <param name="digest">Receives 32 bytes.</param>
    public void HashReceipt(ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount, ulong issuedAt, Span<byte> digest)
    {
        CheckChannelId(channelId);
        Span<byte> buffer = stackalloc byte[128];
        ReceiptTypeHashBytes.CopyTo(buffer);
        channelId.CopyTo(buffer[32..]);
        Eip712Encoding.WriteUInt256(cumulativeAmount, buffer[64..96], nameof(cumulativeAmount));
        Eip712Encoding.WriteUInt256(issuedAt, buffer[96..128], nameof(issuedAt));
        Span<byte> structHash = stackalloc byte[32];
        Keccak256.Hash(buffer, structHash);
        Domain.Digest(structHash, digest);
    }

    /// <summary>Writes the digest of <c>CooperativeClose(channelId, payerToPayee, payeeToPayer, deadline)</c>.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="payerToPayee">Cumulative total paid payer → payee.</param>
    /// <param name="payeeToPayer">Cumulative total paid payee → payer.</param>
    /// <param name="deadline">Last unix time (inclusive) at which the contract accepts the agreement.</param>
    /// <param name="digest">Receives 32 bytes.</param>
    public void HashCooperativeClose(ReadOnlySpan<byte> channelId, BigInteger payerToPayee, BigInteger payeeToPayer, BigInteger deadline, Span<byte> digest)
    {
        CheckChannelId(channelId);
        Span<byte> buffer = stackalloc byte[160];
        CooperativeCloseTypeHashBytes.CopyTo(buffer);
        channelId.CopyTo(buffer[32..]);
        Eip712Encoding.WriteUInt256(payerToPayee, buffer[64..96], nameof(payerToPayee));
        Eip712Encoding.WriteUInt256(payeeToPayer, buffer[96..128], nameof(payeeToPayer));
        Eip712Encoding.WriteUInt256(deadline, buffer[128..160], nameof(deadline));
        Span<byte> structHash = stackalloc byte[32];
        Keccak256.Hash(buffer, structHash);
        Domain.Digest(structHash, digest);
    }

    /// <summary>Signs a cooperative close.</summary>
    /// <param name="key">The signer's key.</param>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="payerToPayee">Cumulative total paid payer → payee.</param>
    /// <param name="payeeToPayer">Cumulative total paid payee → payer.</param>
    /// <param name="deadline">Last unix time (inclusive) at which the contract accepts the agreement.</param>
    public EcdsaSignature SignCooperativeClose(PrivateKey key, ReadOnlySpan<byte> channelId, BigInteger payerToPayee, BigInteger payeeToPayer, BigInteger deadline)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[32];
        HashCooperativeClose(channelId, payerToPayee, payeeToPayer, deadline, digest);
        return key.Sign(digest);
    }

    /// <summary>Recovers the signer of a cooperative close; false when no key matches.</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="payerToPayee">Cumulative total paid payer → payee.</param>
    /// <param name="payeeToPayer">Cumulative total paid payee → payer.</param>
    /// <param name="deadline">Last unix time (inclusive) at which the contract accepts the agreement.</param>
    /// <param name="signature">The signature.</param>
    /// <param name="signer">The signer's address.</param>
    public bool TryRecoverCooperativeCloseSigner(
        ReadOnlySpan<byte> channelId, BigInteger payerToPayee, BigInteger payeeToPayer, BigInteger deadline, in EcdsaSignature signature, out Address signer)
    {
        Span<byte> digest = stackalloc byte[32];
        HashCooperativeClose(channelId, payerToPayee, payeeToPayer, deadline, digest);
        return signature.TryRecoverAddress(digest, out signer);
    }

    /// <summary>The voucher as an <c>eth_signTypedData_v4</c> document (what a wallet would be asked to sign).</summary>
    /// <param name="channelId">The 32-byte channel id.</param>
    /// <param name="cumulativeAmount">The cumulative amount.</param>
    public string VoucherJson(ReadOnlySpan<byte> channelId, BigInteger cumulativeAmount)
    {
        CheckChannelId(channelId);
        var domainType = new JsonArray();
        var domain = new JsonObject();
        if (Domain.Name is { } name)
        {
            domainType.Add(Field("name", "string"));
            domain["name"] = name;
        }

        if (Domain.Version is { } version)
        {
            domainType.Add(Field("version", "string"));
            domain["version"] = version;
        }

        if (Domain.ChainId is { } chainId)
        {
            domainType.Add(Field("chainId", "uint256"));
            domain["chainId"] = chainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Domain.VerifyingContract is { } contract)
        {
            domainType.Add(Field("verifyingContract", "address"));
            domain["verifyingContract"] = contract.ToString();
        }

        if (Domain.Salt is { } salt)
        {
            domainType.Add(Field("salt", "bytes32"));
            domain["salt"] = Hex.Encode(salt.ToArray());
        }

        var document = new JsonObject
        {
            ["types"] = new JsonObject
            {
                ["EIP712Domain"] = domainType,
                ["Voucher"] = new JsonArray(Field("channelId", "bytes32"), Field("cumulativeAmount", "uint256")),
            },
            ["primaryType"] = "Voucher",
            ["domain"] = domain,
            ["message"] = new JsonObject
            {
                ["channelId"] = Hex.Encode(channelId),
                ["cumulativeAmount"] = cumulativeAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        return document.ToJsonString();
    }

    private static JsonObject Field(string name, string type) => new() { ["name"] = name, ["type"] = type };

    private static void CheckChannelId(ReadOnlySpan<byte> channelId)
    {
        if (channelId.Length != 32)
        {
            throw new ArgumentException($"A channel id is 32 bytes; got {channelId.Length}.", nameof(channelId));
        }
    }
}
