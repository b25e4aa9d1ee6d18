using System.Numerics;
using System.Text.Json;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Vouchers;

/// <summary>Channel ids, domain separators and EIP-712 digests/signatures against ethers 6.17.0 (Vectors/).</summary>
public sealed class ChannelVectorTests
{
    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Load().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void ChannelId_EthersVector_Matches(int index)
    {
        var v = Load()[index];
        Parameters(v).Id.ShouldBe(ChannelId.Parse(v.GetProperty("channelId").GetString()!));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void DomainSeparator_EthersVector_Matches(int index)
    {
        var v = Load()[index];
        Hex.Encode(Domain(v).Separator).ShouldBe(v.GetProperty("domainSeparator").GetString());
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void VoucherSign_EthersVector_SameDigestAndSignature(int index)
    {
        var v = Load()[index];
        var voucher = new Voucher(Parameters(v).Id, BigInteger.Parse(v.GetProperty("cumulativeAmount").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Hex.Encode(voucher.Digest(Domain(v))).ShouldBe(v.GetProperty("voucherDigest").GetString());
        using var key = PrivateKey.ParseHex(v.GetProperty("payerKey").GetString()!);
        var signature = voucher.Sign(key, Domain(v));
        Hex.Encode(signature.ToRsv()).ShouldBe(v.GetProperty("voucherSignature").GetString());
        voucher.TryRecoverSigner(Domain(v), signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(Address.Parse(v.GetProperty("payer").GetString()!));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void CooperativeCloseSign_EthersVector_SameDigestAndSignature(int index)
    {
        var v = Load()[index];
        var state = new CooperativeCloseState(
            Parameters(v).Id,
            BigInteger.Parse(v.GetProperty("payerToPayee").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            BigInteger.Parse(v.GetProperty("payeeToPayer").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            ulong.Parse(v.GetProperty("deadline").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Hex.Encode(state.Digest(Domain(v))).ShouldBe(v.GetProperty("closeDigest").GetString());
        using var key = PrivateKey.ParseHex(v.GetProperty("payerKey").GetString()!);
        var signature = state.Sign(key, Domain(v));
        Hex.Encode(signature.ToRsv()).ShouldBe(v.GetProperty("closeSignature").GetString());
        state.TryRecoverSigner(Domain(v), signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(Address.Parse(v.GetProperty("closeSigner").GetString()!));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void CooperativeCloseTypeAndStructHash_EthersVector_Match(int index)
    {
        // v2 adds the deadline: ethers' encodeType must be our type string, and its struct hash under the domain
        // must give our digest (EIP-712: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct)).
        var v = Load()[index];
        Hex.Encode(ChannelTypedData.CooperativeCloseTypeHash).ShouldBe(v.GetProperty("closeTypeHash").GetString());
        Hex.Encode(Settlement.Ethereum.Hashing.Keccak256.HashUtf8(CooperativeCloseState.TypeString)).ShouldBe(v.GetProperty("closeTypeHash").GetString());
        var structHash = Hex.Decode(v.GetProperty("closeStructHash").GetString()!);
        var preimage = new byte[66];
        preimage[0] = 0x19;
        preimage[1] = 0x01;
        Domain(v).Separator.CopyTo(preimage.AsSpan(2));
        structHash.CopyTo(preimage.AsSpan(34));
        Hex.Encode(Settlement.Ethereum.Hashing.Keccak256.Hash(preimage)).ShouldBe(v.GetProperty("closeDigest").GetString());
        ChannelDomain.Version.ShouldBe("2");
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void VoucherSign_Nethereum_SameDigestSignatureAndSigner(int index)
    {
        // The third implementation: Nethereum's typed EIP-712 signer must produce the ethers digest and signature
        // our fast path produces (above), and recover the payer from it.
        var v = Load()[index];
        var message = NethereumVoucher.From(new Voucher(
            Parameters(v).Id, BigInteger.Parse(v.GetProperty("cumulativeAmount").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        var typedData = NethereumVoucher.TypedDataFor(Domain(v));

        var signer = new Eip712TypedDataSigner();
        Hex.Encode(Sha3Keccack.Current.CalculateHash(signer.EncodeTypedData(message, typedData))).ShouldBe(v.GetProperty("voucherDigest").GetString());
        var signature = signer.SignTypedDataV4(message, typedData, new EthECKey(v.GetProperty("payerKey").GetString()!));
        signature.ShouldBe(v.GetProperty("voucherSignature").GetString());
        Address.Parse(signer.RecoverFromSignatureV4(message, typedData, signature)).ShouldBe(Address.Parse(v.GetProperty("payer").GetString()!));
    }

    [Fact]
    public void VoucherRecover_OtherChainOrContract_GivesAnotherSigner()
    {
        var v = Load()[0];
        var voucher = new Voucher(Parameters(v).Id, 5);
        using var key = PrivateKey.ParseHex(v.GetProperty("payerKey").GetString()!);
        var signature = voucher.Sign(key, Domain(v));
        var otherChain = new ChannelDomain(Domain(v).ChainId + 1, Domain(v).VerifyingContract);
        var otherContract = new ChannelDomain(Domain(v).ChainId, Address.Parse("0x00000000000000000000000000000000000000aa"));
        voucher.TryRecoverSigner(otherChain, signature, out var a).ShouldBeTrue();
        a.ShouldNotBe(key.Address);
        voucher.TryRecoverSigner(otherContract, signature, out var b).ShouldBeTrue();
        b.ShouldNotBe(key.Address);
    }

    [Fact]
    public void Voucher_AmountBeyondUint256_Throws()
    {
        var id = ChannelId.FromBytes(new byte[32]);
        Should.Throw<ArgumentOutOfRangeException>(() => new Voucher(id, BigInteger.One << 256));
        Should.Throw<ArgumentOutOfRangeException>(() => new Voucher(id, -1));
        new Voucher(id, (BigInteger.One << 256) - 1).CumulativeAmount.ShouldBe((BigInteger.One << 256) - 1);
    }

    private static ChannelParameters Parameters(JsonElement v) => new(
        Address.Parse(v.GetProperty("payer").GetString()!),
        Address.Parse(v.GetProperty("payee").GetString()!),
        Address.Parse(v.GetProperty("token").GetString()!),
        v.GetProperty("challengePeriod").GetUInt32(),
        ulong.Parse(v.GetProperty("nonce").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

    private static ChannelDomain Domain(JsonElement v) => new(
        ulong.Parse(v.GetProperty("chainId").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        Address.Parse(v.GetProperty("verifyingContract").GetString()!));

    private static List<JsonElement> Load()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "channel-vectors.json"));
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("vectors").EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
