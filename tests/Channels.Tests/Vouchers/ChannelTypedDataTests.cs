using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;
using Eip712Document = Settlement.Ethereum.TypedData.TypedData;

namespace Settlement.Channels.Tests.Vouchers;

public sealed class ChannelTypedDataTests
{
    private static readonly JsonElement Root = Load();

    public static TheoryData<int> Messages
    {
        get
        {
            var data = new TheoryData<int>();
            for (var i = 0; i < Root.GetProperty("channelMessages").GetArrayLength(); i++)
            {
                data.Add(i);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void HashAndSign_EthersChannelMessage_MatchByteForByte(int index)
    {
        var vector = Root.GetProperty("channelMessages")[index];
        var domain = vector.GetProperty("domain");
        var message = vector.GetProperty("message");
        var typed = ChannelTypedData.ForContract(
            BigInteger.Parse(domain.GetProperty("chainId").GetString()!, CultureInfo.InvariantCulture),
            Address.Parse(domain.GetProperty("verifyingContract").GetString()!));
        var channelId = Hex.Decode(message.GetProperty("channelId").GetString()!);
        using var key = PrivateKey.ParseHex(Root.GetProperty("privateKey").GetString()!);
        var signer = Address.Parse(Root.GetProperty("signer").GetString()!);
        var expectedSignature = vector.GetProperty("signature").GetString();

        byte[] digest;
        EcdsaSignature signature;
        Address recovered;
        if (vector.GetProperty("kind").GetString() == "Voucher")
        {
            var amount = Amount(message, "cumulativeAmount");
            digest = typed.HashVoucher(channelId, amount);
            signature = typed.SignVoucher(key, channelId, amount);
            typed.TryRecoverVoucherSigner(channelId, amount, signature, out recovered).ShouldBeTrue();
            Eip712Document.Parse(typed.VoucherJson(channelId, amount)).Hash().ShouldBe(digest);
        }
        else
        {
            var payerToPayee = Amount(message, "payerToPayee");
            var payeeToPayer = Amount(message, "payeeToPayer");
            var deadline = Amount(message, "deadline");
            digest = new byte[32];
            typed.HashCooperativeClose(channelId, payerToPayee, payeeToPayer, deadline, digest);
            signature = typed.SignCooperativeClose(key, channelId, payerToPayee, payeeToPayer, deadline);
            typed.TryRecoverCooperativeCloseSigner(channelId, payerToPayee, payeeToPayer, deadline, signature, out recovered).ShouldBeTrue();
        }

        Hex.Encode(digest).ShouldBe(vector.GetProperty("digest").GetString());
        Hex.Encode(signature.ToRsv()).ShouldBe(expectedSignature);
        recovered.ShouldBe(signer);
    }

    [Fact]
    public void VoucherTypeHash_MatchesProtocolDocument()
    {
        Hex.Encode(ChannelTypedData.VoucherTypeHash).ShouldBe(Hex.Encode(Keccak256.HashUtf8("Voucher(bytes32 channelId,uint256 cumulativeAmount)")));
        var typed = ChannelTypedData.ForContract(31337, Address.Zero);
        typed.Domain.EncodedType.ShouldBe("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
        typed.Domain.Name.ShouldBe("SettlementChannels");
    }

    [Fact]
    public void HashVoucher_OtherChainContractChannelOrAmount_DifferentDigest()
    {
        var contract = Address.Parse("0x00000000000000000000000000000000000000c1");
        var channel = Keccak256.HashUtf8("channel-1");
        var baseline = ChannelTypedData.ForContract(31337, contract).HashVoucher(channel, 100);
        ChannelTypedData.ForContract(1, contract).HashVoucher(channel, 100).ShouldNotBe(baseline);
        ChannelTypedData.ForContract(31337, Address.Parse("0x00000000000000000000000000000000000000c2")).HashVoucher(channel, 100).ShouldNotBe(baseline);
        ChannelTypedData.ForContract(31337, contract).HashVoucher(Keccak256.HashUtf8("channel-2"), 100).ShouldNotBe(baseline);
        ChannelTypedData.ForContract(31337, contract).HashVoucher(channel, 101).ShouldNotBe(baseline);
        ChannelTypedData.ForContract(31337, contract).HashVoucher(channel, 100).ShouldBe(baseline);
    }

    [Fact]
    public void HashVoucher_InvalidInputs_Throw()
    {
        var typed = ChannelTypedData.ForContract(31337, Address.Zero);
        Should.Throw<ArgumentException>(() => typed.HashVoucher(new byte[31], 1));
        Should.Throw<ArgumentOutOfRangeException>(() => typed.HashVoucher(new byte[32], -1));
        Should.Throw<ArgumentOutOfRangeException>(() => typed.HashVoucher(new byte[32], BigInteger.One << 256));
        typed.HashVoucher(new byte[32], (BigInteger.One << 256) - 1).Length.ShouldBe(32);
    }

    [Fact]
    public void HashVoucher_IntoSpan_AllocatesNothing()
    {
        var typed = ChannelTypedData.ForContract(31337, Address.Parse("0x00000000000000000000000000000000000000c1"));
        var channel = Keccak256.HashUtf8("channel");
        var amount = BigInteger.Parse("123456789012345678901234567890", CultureInfo.InvariantCulture);
        var digest = new byte[32];
        typed.HashVoucher(channel, amount, digest);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            typed.HashVoucher(channel, amount, digest);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void TryRecoverVoucherSigner_TamperedAmount_OtherAddress()
    {
        var typed = ChannelTypedData.ForContract(31337, Address.Zero);
        using var key = PrivateKey.Create(Keccak256.HashUtf8("payer"));
        var channel = Keccak256.HashUtf8("channel");
        var signature = typed.SignVoucher(key, channel, 500);
        typed.TryRecoverVoucherSigner(channel, 500, signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(key.Address);
        typed.TryRecoverVoucherSigner(channel, 501, signature, out var other).ShouldBeTrue();
        other.ShouldNotBe(key.Address);
    }

    private static BigInteger Amount(JsonElement message, string name) =>
        BigInteger.Parse(message.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "eip712-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
