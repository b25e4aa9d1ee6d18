using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Ethereum.Rpc;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>The scenarios over our HTTP transport, and what only it does (batches in one request, DI, quantities).</summary>
public sealed class EthereumRpcClientTests : RpcTransportScenarios
{
    private protected override EthereumRpcClient Client(int maxRetries = 3, TimeProvider? time = null, ulong chainId = 31337) =>
        new(new HttpClient(Node), new EthereumRpcOptions
        {
            Url = new Uri("http://127.0.0.1:1/"),
            ChainId = chainId,
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.Zero,
        }, timeProvider: time);

    [Fact]
    public async Task BatchAsync_ResponsesOutOfOrder_MatchedById()
    {
        Node.Respond = (method, p, _) => method switch
        {
            "eth_getBalance" => Reply.Result($"\"0x{p[0].GetString()![^2..]}\""),
            _ => Reply.Error(-32601, "method not found"),
        };
        var requests = Enumerable.Range(1, 5)
            .Select(i => JsonRpcRequest.Create("eth_getBalance", "0x" + new string('0', 38) + i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture), "latest"))
            .Append(JsonRpcRequest.Create("nope"))
            .ToArray();
        var responses = await Client().BatchAsync(requests);
        responses.Take(5).Select(r => Quantity.Parse(r.GetResult().GetString())).ShouldBe([1, 2, 3, 4, 5]);
        responses[5].Error!.Code.ShouldBe(-32601);
        Node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Response_IdAsAString_RefusedAsAMismatchedIdNotAnInvalidOperation()
    {
        Node.Respond = (_, _, _) => Reply.ResultWithStringId("\"0x10\"");

        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client(maxRetries: 0).GetBlockNumberAsync());

        ex.Message.ShouldContain("the response id does not match the request id");
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Response_InvalidUtf8InsideTheResult_NotUtf8TransportErrorNotAnInvalidOperation()
    {
        // "0x2" then 0xC3 0x28 (a lead byte then '('): JsonDocument parses it and throws InvalidOperationException only
        // when the string is read.
        Node.Respond = (_, _, _) => Reply.ResultBytes([.. "\"0x2"u8, 0xC3, 0x28, (byte)'"']);

        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().GetBlockNumberAsync());

        ex.Message.ShouldBe("eth_blockNumber: the answer is not UTF-8.");
        ex.Method.ShouldBe("eth_blockNumber");
        ex.IsTransient.ShouldBeFalse();
        Node.CountOf("eth_blockNumber").ShouldBe(1);
    }

    [Fact]
    public void AddEthereumRpc_MissingUrlAndChainId_FailsValidationNamingSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ethereum:Rpc:MaxRetries"] = "2" }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddEthereumRpc().BuildServiceProvider();
        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EthereumRpcOptions>>().Value);
        ex.Message.ShouldContain("Url");
        ex.Message.ShouldContain("ChainId");
    }

    [Fact]
    public void AddEthereumRpc_NegativeGasMargin_FailsValidationNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ethereum:Rpc:Url"] = "http://127.0.0.1:8545",
            ["Ethereum:Rpc:ChainId"] = "31337",
            ["Ethereum:Sender:GasMarginPercent"] = "-5",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddEthereumRpc().BuildServiceProvider();
        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<TransactionSender>());
        ex.Message.ShouldContain("GasMarginPercent");
    }

    [Fact]
    public void AddEthereumRpc_ValidSettings_ResolvesClientWithChainId()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ethereum:Rpc:Url"] = "http://127.0.0.1:8545",
            ["Ethereum:Rpc:ChainId"] = "31337",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddEthereumRpc().BuildServiceProvider();
        provider.GetRequiredService<EthereumRpcClient>().ChainId.ShouldBe(31337UL);
        provider.GetRequiredService<NonceManager>().ShouldNotBeNull();
        provider.GetRequiredService<TransactionSender>().ShouldNotBeNull();
    }

    [Theory]
    [InlineData("0x0", "0")]
    [InlineData("0x2a", "42")]
    [InlineData("0x00ff", "255")]
    [InlineData("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    public void QuantityParse_Valid(string text, string value) =>
        Quantity.Parse(text).ShouldBe(System.Numerics.BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("2a")]
    [InlineData("0xg1")]
    [InlineData("0x-1")]
    public void QuantityTryParse_Invalid_ReturnsFalse(string text) => Quantity.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void QuantityFormat_Values_AreCanonical()
    {
        Quantity.Format(0UL).ShouldBe("0x0");
        Quantity.Format(System.Numerics.BigInteger.Zero).ShouldBe("0x0");
        Quantity.Format(255UL).ShouldBe("0xff");
        Quantity.Format(new System.Numerics.BigInteger(128)).ShouldBe("0x80");
        Quantity.Format(new System.Numerics.BigInteger(4096)).ShouldBe("0x1000");
    }
}
