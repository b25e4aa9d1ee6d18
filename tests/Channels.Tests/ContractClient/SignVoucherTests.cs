using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="ChannelContract.SignVoucher"/> against the ethers EIP-712 voucher vectors
/// (<c>tests/Ethereum.Tests/Vectors/eip712-ethers.json</c>, <c>Wallet.signTypedData</c>): the contract's domain (chain
/// id from its node, its address) gives ethers' signature byte for byte, and the signature recovers to the signer from
/// ethers' digest.
/// </summary>
public sealed class SignVoucherTests
{
    private static readonly JsonElement Root = Load();

    public static TheoryData<int> Vouchers()
    {
        var data = new TheoryData<int>();
        var messages = Root.GetProperty("channelMessages");
        for (var i = 0; i < messages.GetArrayLength(); i++)
        {
            if (messages[i].GetProperty("kind").GetString() == "Voucher")
            {
                data.Add(i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vouchers))]
    public void SignVoucher_EthersVector_SameSignatureRecoveringTheSigner(int index)
    {
        var vector = Root.GetProperty("channelMessages")[index];
        var domain = vector.GetProperty("domain");
        var message = vector.GetProperty("message");
        var node = new ScriptedNode();
        var contract = new ChannelContract(
            node.Client(ulong.Parse(domain.GetProperty("chainId").GetString()!, CultureInfo.InvariantCulture)),
            Address.Parse(domain.GetProperty("verifyingContract").GetString()!));
        var channelId = ChannelId.FromBytes(Hex.Decode(message.GetProperty("channelId").GetString()!));
        var amount = BigInteger.Parse(message.GetProperty("cumulativeAmount").GetString()!, CultureInfo.InvariantCulture);
        using var key = PrivateKey.ParseHex(Root.GetProperty("privateKey").GetString()!);

        var signed = contract.SignVoucher(key, channelId, amount);

        signed.Voucher.ChannelId.ShouldBe(channelId);
        signed.Voucher.CumulativeAmount.ShouldBe(amount);
        Hex.Encode(signed.Signature.ToRsv()).ShouldBe(vector.GetProperty("signature").GetString());
        signed.Signature.RecoverAddress(Hex.Decode(vector.GetProperty("digest").GetString()!)).ShouldBe(Address.Parse(Root.GetProperty("signer").GetString()!));
        node.Requests.ShouldBeEmpty();
    }

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "eip712-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
