using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;
using Eip712Document = Settlement.Ethereum.TypedData.TypedData;

namespace Settlement.Channels.Tests.Payee.Receipts;

public sealed class ReceiptSignerTests : IDisposable
{
    private static readonly JsonElement Vectors = Load();
    private static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly Address OtherContract = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
    private readonly PrivateKey _stranger = PrivateKey.Create(Enumerable.Repeat((byte)0x33, 32).ToArray());
    private readonly ChannelKey _key = new(31337, Contract, ChannelId.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));

    public void Dispose()
    {
        _payee.Dispose();
        _stranger.Dispose();
    }

    public static TheoryData<int> ChannelMessages()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors.GetProperty("channelMessages").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    // The Receipt document as any EIP-712 implementation takes it (the generic encoder, not ChannelTypedData).
    private static byte[] ReceiptDigest(ChannelKey key, BigInteger cumulative, ulong issuedAt) => Eip712Document.Parse($$"""
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" }, { "name": "version", "type": "string" },
              { "name": "chainId", "type": "uint256" }, { "name": "verifyingContract", "type": "address" }
            ],
            "Receipt": [
              { "name": "channelId", "type": "bytes32" }, { "name": "cumulativeAmount", "type": "uint256" },
              { "name": "issuedAt", "type": "uint64" }
            ]
          },
          "primaryType": "Receipt",
          "domain": { "name": "SettlementChannels", "version": "2", "chainId": "{{key.ChainId}}", "verifyingContract": "{{key.Contract}}" },
          "message": { "channelId": "{{Hex.Encode(key.ChannelId.Bytes)}}", "cumulativeAmount": "{{cumulative}}", "issuedAt": "{{issuedAt}}" }
        }
        """).Hash();

    [Fact]
    public void Sign_Receipt_TheEip712DigestSignedByThePayee()
    {
        var signer = new ReceiptSigner(_payee);

        var receipt = signer.Sign(_key, 123_456_789, 1_800_000_000);

        receipt.Key.ShouldBe(_key);
        receipt.Cumulative.ShouldBe(123_456_789);
        receipt.IssuedAt.ShouldBe(1_800_000_000UL);
        var digest = ReceiptDigest(_key, 123_456_789, 1_800_000_000);
        receipt.Digest().ShouldBe(digest);
        receipt.Signature.TryRecoverAddress(digest, out var recovered).ShouldBeTrue();
        recovered.ShouldBe(_payee.Address);
        signer.Payee.ShouldBe(_payee.Address);
        receipt.IsSignedBy(_payee.Address).ShouldBeTrue();
        receipt.IsSignedBy(_stranger.Address).ShouldBeFalse();
    }

    [Fact]
    public void IsSignedBy_ZeroAmount_StillVerifies()
    {
        // Only a negative amount (not hashable as uint256) is refused; 0 is a valid cumulative amount.
        var receipt = new ReceiptSigner(_payee).Sign(_key, 0, 1_800_000_000);

        receipt.IsSignedBy(_payee.Address).ShouldBeTrue();
        (receipt with { Cumulative = -1 }).IsSignedBy(_payee.Address).ShouldBeFalse();
    }

    [Fact]
    public void Sign_OtherDeployments_EachInItsOwnDomain()
    {
        var signer = new ReceiptSigner(_payee);
        var otherChain = _key with { ChainId = 1 };
        var otherContract = _key with { Contract = OtherContract };

        // Signed for the first deployment first, so a domain cached under the wrong key would be reused for the others.
        var first = signer.Sign(_key, 5, 7);
        var chain = signer.Sign(otherChain, 5, 7);
        var contract = signer.Sign(otherContract, 5, 7);

        chain.Digest().ShouldBe(ReceiptDigest(otherChain, 5, 7));
        contract.Digest().ShouldBe(ReceiptDigest(otherContract, 5, 7));
        chain.Signature.TryRecoverAddress(ReceiptDigest(otherChain, 5, 7), out var a).ShouldBeTrue();
        a.ShouldBe(_payee.Address);
        contract.Signature.TryRecoverAddress(ReceiptDigest(otherContract, 5, 7), out var b).ShouldBeTrue();
        b.ShouldBe(_payee.Address);
        first.Signature.ShouldNotBe(chain.Signature);
        first.Signature.ShouldNotBe(contract.Signature);
        (first with { Key = otherChain }).IsSignedBy(_payee.Address).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(ChannelMessages))]
    public void SignRefundAndClose_EthersVectors_ByteForByte(int index)
    {
        var vector = Vectors.GetProperty("channelMessages")[index];
        var domain = vector.GetProperty("domain");
        var message = vector.GetProperty("message");
        var key = new ChannelKey(
            ulong.Parse(domain.GetProperty("chainId").GetString()!, CultureInfo.InvariantCulture),
            Address.Parse(domain.GetProperty("verifyingContract").GetString()!),
            ChannelId.FromBytes(Hex.Decode(message.GetProperty("channelId").GetString()!)));
        using var vectorKey = PrivateKey.ParseHex(Vectors.GetProperty("privateKey").GetString()!);
        var signer = new ReceiptSigner(vectorKey);

        var signature = vector.GetProperty("kind").GetString() == "Voucher"
            ? signer.SignRefund(key, Amount(message, "cumulativeAmount"))
            : signer.SignClose(key, Amount(message, "payerToPayee"), Amount(message, "payeeToPayer"), (ulong)Amount(message, "deadline"));

        Hex.Encode(signature.ToRsv()).ShouldBe(vector.GetProperty("signature").GetString());
        signature.TryRecoverAddress(Hex.Decode(vector.GetProperty("digest").GetString()!), out var recovered).ShouldBeTrue();
        recovered.ShouldBe(Address.Parse(Vectors.GetProperty("signer").GetString()!));
    }

    [Fact]
    public void Constructor_NullKey_Refused() =>
        Should.Throw<ArgumentNullException>(() => new ReceiptSigner(null!)).ParamName.ShouldBe("payeeKey");

    private static BigInteger Amount(JsonElement message, string name) =>
        BigInteger.Parse(message.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "eip712-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
