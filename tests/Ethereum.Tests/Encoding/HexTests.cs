using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Encoding;

public sealed class HexTests
{
    [Theory]
    [InlineData("0x", new byte[0])]
    [InlineData("0x00ff10", new byte[] { 0, 255, 16 })]
    [InlineData("00FF10", new byte[] { 0, 255, 16 })]
    [InlineData("0XaB", new byte[] { 0xab })]
    public void Decode_ValidText_GivesBytes(string text, byte[] expected) => Hex.Decode(text).ShouldBe(expected);

    [Theory]
    [InlineData("0x0")]
    [InlineData("0xgg")]
    [InlineData("0x 0")]
    public void Decode_InvalidText_ThrowsFormatException(string text) =>
        Should.Throw<FormatException>(() => Hex.Decode(text));

    [Fact]
    public void Encode_Bytes_GivesPrefixedLowerCase() => Hex.Encode([0xAB, 0x01]).ShouldBe("0xab01");
}
