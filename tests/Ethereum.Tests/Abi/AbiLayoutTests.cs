using Nethereum.ABI;
using Settlement.Ethereum.Abi;

namespace Settlement.Ethereum.Tests.Abi;

public sealed class AbiLayoutTests
{
    [Theory]
    [InlineData("uint256", 32)]
    [InlineData("address", 32)]
    [InlineData("string", 32)] // an offset
    [InlineData("uint8[3]", 96)]
    [InlineData("(uint256,address)", 64)]
    [InlineData("(uint256,bool)[2]", 128)]
    [InlineData("(uint256,bytes)", 32)] // dynamic tuple: an offset
    [InlineData("uint256[]", 32)]
    public void HeadSize_Types_WordsInTheHead(string type, int bytes) =>
        AbiLayout.HeadSize(NethereumAbiValues.Parameters(type)[0]).ShouldBe(bytes);

    [Theory]
    [InlineData("address", "000000000000000000000000" + "00000000000000000000000000000000000000aa", true)]
    [InlineData("address", "000000000000000000000001" + "00000000000000000000000000000000000000aa", false)]
    [InlineData("bool", "0000000000000000000000000000000000000000000000000000000000000001", true)]
    [InlineData("bool", "0000000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("bool", "0000000000000000000000000000000000000000000000000000000000000002", false)]
    [InlineData("bool", "0100000000000000000000000000000000000000000000000000000000000001", false)]
    [InlineData("uint64", "000000000000000000000000000000000000000000000000ffffffffffffffff", true)]
    [InlineData("uint64", "0000000000000000000000000000000000000000000000010000000000000000", false)]
    [InlineData("uint256", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true)]
    [InlineData("int8", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80", true)] // -128
    [InlineData("int8", "000000000000000000000000000000000000000000000000000000000000007f", true)] // 127
    [InlineData("int8", "0000000000000000000000000000000000000000000000000000000000000080", false)] // 128 not sign-extended
    [InlineData("int8", "ff0000000000000000000000000000000000000000000000000000000000007f", false)]
    [InlineData("bytes4", "deadbeef00000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("bytes4", "deadbeef00000000000000000000000000000000000000000000000000000001", false)]
    [InlineData("bytes32", "deadbeef000000000000000000000000000000000000000000000000000000ff", true)]
    [InlineData("string", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true)] // not an elementary word
    public void IsCanonicalWord_Words_StrictEncodingOnly(string type, string word, bool canonical) =>
        AbiLayout.IsCanonicalWord(ABIType.CreateABIType(type), Convert.FromHexString(word)).ShouldBe(canonical);

    [Fact]
    public void IsCanonicalWord_NotThirtyTwoBytes_False() =>
        AbiLayout.IsCanonicalWord(ABIType.CreateABIType("uint256"), new byte[31]).ShouldBeFalse();

    [Fact]
    public void Arguments_Null_Throw()
    {
        Should.Throw<ArgumentNullException>(() => AbiLayout.IsCanonicalWord(null!, new byte[32]));
        Should.Throw<ArgumentNullException>(() => AbiLayout.HeadSize((Nethereum.ABI.Model.Parameter)null!));
    }
}
