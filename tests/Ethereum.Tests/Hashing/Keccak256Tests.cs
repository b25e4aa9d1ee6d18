using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Tests.Hashing;

public sealed class Keccak256Tests
{
    // Published Keccak-256 values (the empty-string hash appears in the Yellow Paper as KEC(()),
    // the transfer selector is ERC-20's).
    [Theory]
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("transfer(address,uint256)", "0xa9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b")]
    [InlineData("Transfer(address,address,uint256)", "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")]
    public void HashUtf8_KnownInputs_MatchPublishedDigests(string input, string expected) =>
        Hex.Encode(Keccak256.HashUtf8(input)).ShouldBe(expected);

    [Fact]
    public void Hash_LargeInputAfterSmall_UsesWholeInput()
    {
        var small = Keccak256.Hash(new byte[3]);
        var large = Keccak256.Hash(new byte[10_000]);
        var smallAgain = Keccak256.Hash(new byte[3]);
        smallAgain.ShouldBe(small);
        large.ShouldNotBe(small);
    }

    [Fact]
    public void Hash_ShortDestination_Throws() =>
        Should.Throw<ArgumentException>(() => Keccak256.Hash([1, 2], new byte[31]));
}
