using System.Globalization;
using Settlement.Service.Indexer.Mapping;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// The ids the indexer books under are pinned to values computed with Python's hashlib from the layout
/// <see cref="ChainTransferIds"/> documents, not by the code under test: SHA-256 over
/// <c>"l2pay/indexer/transfer/v1" ‖ u64be(chainId) ‖ text(contract) ‖ text(txHash) ‖ u64be(logIndex) ‖ text(blockHash) ‖
/// i64be(epoch) ‖ i64be(leg)</c>, where <c>text(s) = i32be(len) ‖ ascii(lower(s))</c>, first 16 bytes big-endian; a
/// reversal is SHA-256 over <c>"l2pay/indexer/reversal/v1" ‖ u128be(original)</c>. A change of any field, its order or
/// its encoding would re-book every event after an upgrade under new ids (double booking), so it must fail here.
/// </summary>
public sealed class ChainTransferIdVectorTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static readonly string Tx = "0x" + string.Concat(Enumerable.Repeat("ab", 32));
    private static readonly string Block = "0x" + string.Concat(Enumerable.Repeat("cd", 32));
    private static readonly string OtherBlock = "0x" + string.Concat(Enumerable.Repeat("ce", 32));

    private static UInt128 Hex(string value) => UInt128.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(31337UL, 7UL, false, 0L, 0, "fae731eb0dab26b2a63211e98652cbe7")]
    [InlineData(31337UL, 7UL, false, 0L, 1, "1a0fda64e90fc6ece9a31e393828bbd2")]
    [InlineData(31337UL, 7UL, false, 1L, 0, "5b103c70113b2508ca64202cdd698b21")]
    [InlineData(1UL, 7UL, false, 0L, 0, "eafbbc73dade6e213e35f262a6a50836")]
    [InlineData(31337UL, 8UL, false, 0L, 0, "1d1e6b16c4770e356f0ddafaeb26bf1c")]
    [InlineData(31337UL, 7UL, false, -1L, 0, "63e5d0e076440d5aa3c50d4f0b611473")]
    [InlineData(31337UL, 7UL, true, 0L, 0, "333a887672bace79bef78764393fd965")]
    public void ForEvent_MatchesTheDocumentedLayout(ulong chainId, ulong logIndex, bool otherBlock, long epoch, int leg, string expected) =>
        ChainTransferIds.ForEvent(chainId, Contract, Tx, logIndex, otherBlock ? OtherBlock : Block, epoch, leg).ShouldBe(Hex(expected));

    [Fact]
    public void ForEvent_TextIsCaseInsensitive() =>
        ChainTransferIds.ForEvent(31337, Contract.ToLowerInvariant(), Tx.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), 7, Block.ToUpperInvariant(), 0, 0)
            .ShouldBe(Hex("fae731eb0dab26b2a63211e98652cbe7"));

    [Fact]
    public void Reversal_MatchesTheDocumentedLayout()
    {
        ChainTransferIds.Reversal(Hex("fae731eb0dab26b2a63211e98652cbe7")).ShouldBe(Hex("dc5c1da0fc01362ad0be98ada6c4bf6c"));
        ChainTransferIds.Reversal(UInt128.One).ShouldBe(Hex("34c20d35f587223e8cb270d2d6f36a9f"));
    }

    [Theory]
    [InlineData(null, "0xab", "0xcd", "contract")]
    [InlineData("", "0xab", "0xcd", "contract")]
    [InlineData("0xc0", null, "0xcd", "transactionHash")]
    [InlineData("0xc0", "", "0xcd", "transactionHash")]
    [InlineData("0xc0", "0xab", null, "blockHash")]
    [InlineData("0xc0", "0xab", "", "blockHash")]
    public void ForEvent_MissingText_RefusedNamingTheArgument(string? contract, string? tx, string? block, string parameter) =>
        Should.Throw<ArgumentException>(() => ChainTransferIds.ForEvent(1, contract!, tx!, 0, block!, 0, 0)).ParamName.ShouldBe(parameter);

    [Fact]
    public void FromDigest_NeverZeroOrAllOnes()
    {
        var zero = new byte[32];
        var ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var other = new byte[32];
        other[15] = 2;
        ones[16] = 0; // only the first 16 bytes count

        ChainTransferIds.FromDigest(zero).ShouldBe(UInt128.One);
        ChainTransferIds.FromDigest(ones).ShouldBe(UInt128.MaxValue - 1);
        ChainTransferIds.FromDigest(other).ShouldBe(new UInt128(0, 2));
        ChainTransferIds.FromDigest(Enumerable.Repeat((byte)0xFF, 15).Append((byte)0xFE).Concat(new byte[16]).ToArray()).ShouldBe(UInt128.MaxValue - 1);
    }
}
