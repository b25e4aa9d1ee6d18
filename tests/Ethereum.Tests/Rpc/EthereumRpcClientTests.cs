using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

public sealed class EthereumRpcClientTests
{
    // ABI encoding of Error("nope") and Panic(0x11) (Solidity docs, "Error handling").
    private const string ErrorNope = "0x08c379a0" +
        "0000000000000000000000000000000000000000000000000000000000000020" +
        "0000000000000000000000000000000000000000000000000000000000000004" +
        "6e6f706500000000000000000000000000000000000000000000000000000000";

    private const string Panic11 = "0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011";

    private readonly ScriptedRpcHandler _node = new();

    private EthereumRpcClient Client(int maxRetries = 3, TimeProvider? time = null, ulong chainId = 31337) =>
        new(new HttpClient(_node), new EthereumRpcOptions
        {
            Url = new Uri("http://127.0.0.1:1/"),
            ChainId = chainId,
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.Zero,
        }, timeProvider: time);

    [Fact]
    public async Task GetBlockNumberAsync_503ThenAnswer_RetriesAndReturns()
    {
        _node.Respond = (_, _, i) => i == 0 ? Reply.HttpStatus(HttpStatusCode.ServiceUnavailable) : Reply.Result("\"0x2a\"");
        (await Client().GetBlockNumberAsync()).ShouldBe(42UL);
        _node.CountOf("eth_blockNumber").ShouldBe(2);
    }

    [Fact]
    public async Task GetBalanceAsync_ConnectionRefusedAlways_ThrowsTransientAfterRetries()
    {
        _node.Respond = (_, _, _) => Reply.Fail(new HttpRequestException("Connection refused"));
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client(maxRetries: 2).GetBalanceAsync(Address.Zero));
        ex.IsTransient.ShouldBeTrue();
        ex.Method.ShouldBe("eth_getBalance");
        _node.Bodies.Count.ShouldBe(3);
    }

    [Fact]
    public async Task RequestAsync_NonIdempotentMethodOn503_IsNotRetried()
    {
        _node.Respond = (_, _, _) => Reply.HttpStatus(HttpStatusCode.BadGateway);
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().RequestAsync("eth_sendTransaction", new JsonNode?[] { new JsonObject() }));
        ex.HttpStatusCode.ShouldBe(502);
        _node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RequestAsync_HttpBadRequest_IsNotTransient()
    {
        _node.Respond = (_, _, _) => Reply.HttpStatus(HttpStatusCode.BadRequest);
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().GetChainIdAsync());
        ex.IsTransient.ShouldBeFalse();
        _node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task CallAsync_RevertWithErrorString_ThrowsWithDecodedReasonAndNoRetry()
    {
        _node.Respond = (_, _, _) => Reply.Error(3, "execution reverted: nope", $"\"{ErrorNope}\"");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().CallAsync(new CallRequest { To = Address.Zero }));
        ex.Code.ShouldBe(3);
        ex.IsRevert.ShouldBeTrue();
        ex.IsTransient.ShouldBeFalse();
        ex.RevertReason.ShouldBe("nope");
        Hex.Encode(ex.RevertData!.Value.Span).ShouldBe(ErrorNope);
        _node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task EstimateGasAsync_HardhatStyleNestedRevertData_DecodesPanic()
    {
        _node.Respond = (_, _, _) => Reply.Error(-32603, "Error: VM Exception while processing transaction: reverted with panic code 0x11", $"{{\"message\":\"x\",\"data\":\"{Panic11}\"}}");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().EstimateGasAsync(new CallRequest { To = Address.Zero }));
        ex.RevertReason.ShouldBe("Panic(0x11: arithmetic overflow or underflow)");
        ex.Message.ShouldContain("Panic(0x11");
    }

    [Fact]
    public async Task CallAsync_CustomErrorData_KeepsBytesWithoutReason()
    {
        _node.Respond = (_, _, _) => Reply.Error(3, "execution reverted", "\"0xdeadbeef0000000000000000000000000000000000000000000000000000000000000001\"");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().CallAsync(new CallRequest { To = Address.Zero }));
        ex.RevertReason.ShouldBeNull();
        ex.RevertData!.Value.Length.ShouldBe(36);
    }

    [Fact]
    public async Task SendRawTransactionAsync_TransientThenAlreadyKnown_ResendsSameBytesAndReturnsHash()
    {
        var raw = Hex.Decode("0x02f86c827a6980843b9aca00850c92a69c0082520894000000000000000000000000000000000000000080c0");
        var hash = Hex.Encode(Keccak256.Hash(raw));
        var sends = 0;
        _node.Respond = (method, p, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            "eth_sendRawTransaction" => ++sends == 1 ? Reply.HttpStatus(HttpStatusCode.ServiceUnavailable) : Reply.Error(-32000, "already known"),
            "eth_getTransactionByHash" when p[0].GetString() == hash => Reply.Result($"{{\"hash\":\"{hash}\"}}"),
            _ => Reply.Result("null"),
        };
        var returned = await Client().SendRawTransactionAsync(raw);
        Hex.Encode(returned).ShouldBe(hash);
        var sent = _node.Bodies.Where(b => b.Contains("eth_sendRawTransaction", StringComparison.Ordinal)).ToArray();
        sent.Length.ShouldBe(2);
        sent.ShouldAllBe(b => b.Contains(Hex.Encode(raw), StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendRawTransactionAsync_NonceTooLowForAnotherTransaction_Throws()
    {
        _node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            "eth_sendRawTransaction" => Reply.Error(-32000, "nonce too low"),
            _ => Reply.Result("null"),
        };
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().SendRawTransactionAsync(new byte[] { 1, 2, 3 }));
        ex.NodeMessage.ShouldBe("nonce too low");
        _node.CountOf("eth_sendRawTransaction").ShouldBe(1);
    }

    [Fact]
    public async Task SendRawTransactionAsync_NodeReturnsOtherHash_Throws()
    {
        _node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            _ => Reply.Result("\"0x" + new string('1', 64) + "\""),
        };
        await Should.ThrowAsync<JsonRpcTransportException>(() => Client().SendRawTransactionAsync(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task ConnectAsync_MismatchThenAgain_ThrowsEachTimeAndSendsNothing()
    {
        _node.Respond = (method, _, _) => method == "eth_chainId" ? Reply.Result("\"0x1\"") : Reply.Result("\"0x00\"");
        var client = Client();
        await Should.ThrowAsync<ChainIdMismatchException>(() => client.SendRawTransactionAsync(new byte[] { 1 }));
        await Should.ThrowAsync<ChainIdMismatchException>(() => client.ConnectAsync());
        _node.CountOf("eth_sendRawTransaction").ShouldBe(0);
    }

    [Fact]
    public async Task ConnectAsync_Matching_AsksOnce()
    {
        _node.Respond = (_, _, _) => Reply.Result("\"0x7a69\"");
        var client = Client();
        await client.ConnectAsync();
        await client.ConnectAsync();
        _node.CountOf("eth_chainId").ShouldBe(1);
    }

    [Fact]
    public async Task BatchAsync_ResponsesOutOfOrder_MatchedById()
    {
        _node.Respond = (method, p, _) => method switch
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
        _node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RequestAsync_NodeNeverAnswers_TimesOutOnInjectedClockAsTransient()
    {
        var time = new TestClock();
        _node.Respond = (_, _, _) => Reply.NeverAnswer();
        var call = Client(maxRetries: 0, time: time).GetBlockNumberAsync();
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => call);
        ex.IsTransient.ShouldBeTrue();
        ex.Message.ShouldContain("no answer");
    }

    [Fact]
    public async Task RequestAsync_CallerCancels_ThrowsOperationCanceled()
    {
        _node.Respond = (_, _, _) => Reply.NeverAnswer();
        using var cts = new CancellationTokenSource();
        var call = Client().GetBlockNumberAsync(cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task WaitForReceiptAsync_NeverMined_ThrowsTimeoutAfterPollingOnInjectedClock()
    {
        var time = new TestClock();
        _node.Respond = (_, _, _) => Reply.Result("null");
        var hash = new byte[32];
        var wait = Client(time: time).WaitForReceiptAsync(hash, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        for (var i = 0; i < 5; i++)
        {
            await time.WaitForTimersAsync(1, TimeSpan.FromSeconds(2));
            wait.IsCompleted.ShouldBeFalse();
            time.Advance(TimeSpan.FromSeconds(2));
        }

        var ex = await Should.ThrowAsync<TransactionReceiptTimeoutException>(() => wait);
        ex.Timeout.ShouldBe(TimeSpan.FromSeconds(10));
        _node.CountOf("eth_getTransactionReceipt").ShouldBe(6);
    }

    [Fact]
    public async Task WaitForReceiptAsync_MinedOnThirdPoll_ReturnsReceipt()
    {
        var time = new TestClock();
        var polls = 0;
        const string Receipt = """
            {"transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111","blockNumber":"0x5",
             "blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222","transactionIndex":"0x0",
             "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":null,"contractAddress":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
             "status":"0x1","gasUsed":"0x5208","cumulativeGasUsed":"0x5208","effectiveGasPrice":"0x3b9aca00","type":"0x2","logs":[]}
            """;
        _node.Respond = (_, _, _) => ++polls >= 3 ? Reply.Result(Receipt) : Reply.Result("null");
        var wait = Client(time: time).WaitForReceiptAsync(new byte[32], TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        await time.WaitForTimersAsync(1, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        await time.WaitForTimersAsync(1, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        var receipt = await wait;
        receipt.BlockNumber.ShouldBe(5UL);
        receipt.Succeeded.ShouldBeTrue();
        receipt.GasUsed.ShouldBe(21000UL);
        receipt.To.ShouldBeNull();
        receipt.ContractAddress.ShouldBe(Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
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
