using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Addresses;

public sealed class AddressTests
{
    // The test vectors listed in EIP-55.
    public static TheoryData<string> Eip55Vectors =>
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ];

    [Theory]
    [MemberData(nameof(Eip55Vectors))]
    public void ToString_Eip55Vectors_RoundTripExactly(string checksummed) =>
        Address.Parse(checksummed.ToLowerInvariant()).ToString().ShouldBe(checksummed);

    [Fact]
    public void Parse_MixedCaseWithWrongChecksum_IsRejectedWithClearError()
    {
        var ex = Should.Throw<FormatException>(() => Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
        ex.Message.ShouldContain("checksum");
    }

    [Theory]
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
    [InlineData("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")]
    public void Parse_SingleCase_AcceptedWithoutChecksum(string text) =>
        Address.Parse(text).ToString().ShouldBe("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea")]
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedff")]
    [InlineData("0xzaaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
    public void TryParse_Malformed_ReturnsFalse(string? text) =>
        Address.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void FromPublicKey_KnownKey_GivesKnownAddress()
    {
        // Private key 1: its public key is the generator point G (SEC 2), address per ethers.js.
        var g = Hex.Decode(
            "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" +
            "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
        Address.FromPublicKey(g).ToString().ShouldBe("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    }

    [Fact]
    public void Default_EqualsZero() => default(Address).ShouldBe(Address.Zero);
}
