using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Transactions;

namespace Settlement.Ethereum.Tests.Transactions;

public sealed class TransactionJsonTests
{
    [Fact]
    public void Parse_MixedQuantityFormats_AllAccepted()
    {
        var tx = TransactionJson.Parse("""
            {"type":"0x2","chainId":31337,"nonce":"12","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
             "value":"0xde0b6b3a7640000","input":"0xabcd","gas":21000,"maxFeePerGas":"30000000000","maxPriorityFeePerGas":"0x3b9aca00",
             "accessList":[{"address":"0x0000000000000000000000000000000000000001","storageKeys":["0x0000000000000000000000000000000000000000000000000000000000000001"]}]}
            """).ShouldBeOfType<Eip1559Transaction>();
        tx.ChainId.ShouldBe(31337UL);
        tx.Nonce.ShouldBe(12UL);
        tx.Value.ShouldBe(BigInteger.Pow(10, 18));
        tx.Data.ShouldBe(new byte[] { 0xab, 0xcd });
        tx.GasLimit.ShouldBe(21000UL);
        tx.MaxFeePerGas.ShouldBe(30_000_000_000);
        tx.MaxPriorityFeePerGas.ShouldBe(1_000_000_000);
        tx.AccessList.Count.ShouldBe(1);
        tx.To.ShouldBe(Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
    }

    [Fact]
    public void Parse_GasPriceWithoutType_IsLegacy()
    {
        var tx = TransactionJson.Parse("""{"chainId":"0x1","nonce":0,"gas":"0x5208","gasPrice":"1000","to":null}""").ShouldBeOfType<LegacyTransaction>();
        tx.ChainId.ShouldBe(1UL);
        tx.To.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"maxFeePerGass":1}""", "maxFeePerGass")]
    [InlineData("""{"type":2,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1}""", "chainId")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":2}""", "MaxPriorityFeePerGas")]
    [InlineData("""{"type":2,"chainId":1,"nonce":-1,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1}""", "nonce")]
    [InlineData("""{"type":2,"chainId":1,"nonce":1.5,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1}""", "nonce")]
    [InlineData("""{"type":2,"chainId":1,"nonce":"0x1g","gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1}""", "nonce")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"gasPrice":1}""", "gasPrice")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"data":"0x01","input":"0x02"}""", "differ")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"to":"0x70997970C51812dc3A010C7d01b50e0d17dc79c8"}""", "to")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"value":"0x10000000000000000000000000000000000000000000000000000000000000000"}""", "value")]
    [InlineData("""{"type":0,"nonce":0,"gas":1,"gasPrice":1}""", "chainId")]
    [InlineData("""{"type":1,"chainId":1,"nonce":0,"gas":1,"gasPrice":1}""", "type 1")]
    [InlineData("""[1]""", "object")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"data":"abcd"}""", "data")]
    public void Parse_Invalid_ThrowsNamingMember(string json, string expected)
    {
        var ex = Should.Throw<FormatException>(() => TransactionJson.Parse(json));
        ex.Message.ShouldContain(expected);
    }
}
