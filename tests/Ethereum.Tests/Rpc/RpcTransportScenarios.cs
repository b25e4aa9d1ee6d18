using System.Net;
using System.Text.Json.Nodes;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>
/// What <see cref="EthereumRpcClient"/> guarantees whatever carries its requests: retries of idempotent methods only,
/// identical-bytes resends, revert data, the chain check, timeouts on the injected clock, receipt polling. Run over
/// our HTTP transport (<see cref="EthereumRpcClientTests"/>) and over a Nethereum client
/// (<see cref="NethereumTransportTests"/>), both in front of the same scripted node.
/// </summary>
public abstract class RpcTransportScenarios
{
    // ABI encoding of Error("nope") and Panic(0x11) (Solidity docs, "Error handling").
    private const string ErrorNope = "0x08c379a0" +
        "0000000000000000000000000000000000000000000000000000000000000020" +
        "0000000000000000000000000000000000000000000000000000000000000004" +
        "6e6f706500000000000000000000000000000000000000000000000000000000";

    private const string Panic11 = "0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011";

    /// <summary>The scripted node behind the transport.</summary>
    private protected ScriptedRpcHandler Node { get; } = new();

    /// <summary>A client over the transport under test, in front of <see cref="Node"/>.</summary>
    private protected abstract EthereumRpcClient Client(int maxRetries = 3, TimeProvider? time = null, ulong chainId = 31337);

    [Fact]
    public async Task GetBlockNumberAsync_503ThenAnswer_RetriesAndReturns()
    {
        Node.Respond = (_, _, i) => i == 0 ? Reply.HttpStatus(HttpStatusCode.ServiceUnavailable) : Reply.Result("\"0x2a\"");
        (await Client().GetBlockNumberAsync()).ShouldBe(42UL);
        Node.CountOf("eth_blockNumber").ShouldBe(2);
    }

    [Fact]
    public async Task GetBalanceAsync_ConnectionRefusedAlways_ThrowsTransientAfterRetries()
    {
        Node.Respond = (_, _, _) => Reply.Fail(new HttpRequestException("Connection refused"));
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client(maxRetries: 2).GetBalanceAsync(Address.Zero));
        ex.IsTransient.ShouldBeTrue();
        ex.Method.ShouldBe("eth_getBalance");
        Node.Bodies.Count.ShouldBe(3);
    }

    [Fact]
    public async Task RequestAsync_NonIdempotentMethodOn503_IsNotRetried()
    {
        Node.Respond = (_, _, _) => Reply.HttpStatus(HttpStatusCode.BadGateway);
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().RequestAsync("eth_sendTransaction", new JsonNode?[] { new JsonObject() }));
        ex.HttpStatusCode.ShouldBe(502);
        Node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RequestAsync_HttpBadRequest_IsNotTransient()
    {
        Node.Respond = (_, _, _) => Reply.HttpStatus(HttpStatusCode.BadRequest);
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().GetChainIdAsync());
        ex.IsTransient.ShouldBeFalse();
        Node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task CallAsync_RevertWithErrorString_ThrowsWithDecodedReasonAndNoRetry()
    {
        Node.Respond = (_, _, _) => Reply.Error(3, "execution reverted: nope", $"\"{ErrorNope}\"");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().CallAsync(new CallRequest { To = Address.Zero }));
        ex.Code.ShouldBe(3);
        ex.IsRevert.ShouldBeTrue();
        ex.IsTransient.ShouldBeFalse();
        ex.RevertReason.ShouldBe("nope");
        Hex.Encode(ex.RevertData!.Value.Span).ShouldBe(ErrorNope);
        Node.Bodies.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"not hex\"")]
    [InlineData("{\"message\":\"x\"}")]
    public async Task CallAsync_ErrorWithoutRevertBytes_RevertDataNullAndNotARevert(string? data)
    {
        Node.Respond = (_, _, _) => Reply.Error(-32000, "insufficient funds for gas * price + value", data);
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().CallAsync(new CallRequest { To = Address.Zero }));
        ex.RevertData.ShouldBeNull();
        ex.IsRevert.ShouldBeFalse();
        ex.RevertReason.ShouldBeNull();
    }

    [Fact]
    public async Task EstimateGasAsync_HardhatStyleNestedRevertData_DecodesPanic()
    {
        Node.Respond = (_, _, _) => Reply.Error(-32603, "Error: VM Exception while processing transaction: reverted with panic code 0x11", $"{{\"message\":\"x\",\"data\":\"{Panic11}\"}}");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().EstimateGasAsync(new CallRequest { To = Address.Zero }));
        ex.RevertReason.ShouldBe("Panic(0x11: arithmetic overflow or underflow)");
        ex.Message.ShouldContain("Panic(0x11");
    }

    [Fact]
    public async Task CallAsync_CustomErrorData_KeepsBytesWithoutReason()
    {
        Node.Respond = (_, _, _) => Reply.Error(3, "execution reverted", "\"0xdeadbeef0000000000000000000000000000000000000000000000000000000000000001\"");
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
        Node.Respond = (method, p, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            "eth_sendRawTransaction" => ++sends == 1 ? Reply.HttpStatus(HttpStatusCode.ServiceUnavailable) : Reply.Error(-32000, "already known"),
            "eth_getTransactionByHash" when p[0].GetString() == hash => Reply.Result($"{{\"hash\":\"{hash}\"}}"),
            _ => Reply.Result("null"),
        };
        var returned = await Client().SendRawTransactionAsync(raw);
        Hex.Encode(returned).ShouldBe(hash);
        var sent = Node.Bodies.Where(b => b.Contains("eth_sendRawTransaction", StringComparison.Ordinal)).ToArray();
        sent.Length.ShouldBe(2);
        sent.ShouldAllBe(b => b.Contains(Hex.Encode(raw), StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendRawTransactionAsync_NonceTooLowForAnotherTransaction_Throws()
    {
        Node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            "eth_sendRawTransaction" => Reply.Error(-32000, "nonce too low"),
            _ => Reply.Result("null"),
        };
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().SendRawTransactionAsync(new byte[] { 1, 2, 3 }));
        ex.NodeMessage.ShouldBe("nonce too low");
        Node.CountOf("eth_sendRawTransaction").ShouldBe(1);
    }

    [Fact]
    public async Task SendRawTransactionAsync_NodeReturnsOtherHash_Throws()
    {
        Node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            _ => Reply.Result("\"0x" + new string('1', 64) + "\""),
        };
        await Should.ThrowAsync<JsonRpcTransportException>(() => Client().SendRawTransactionAsync(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task ConnectAsync_MismatchThenAgain_ThrowsEachTimeAndSendsNothing()
    {
        Node.Respond = (method, _, _) => method == "eth_chainId" ? Reply.Result("\"0x1\"") : Reply.Result("\"0x00\"");
        var client = Client();
        await Should.ThrowAsync<ChainIdMismatchException>(() => client.SendRawTransactionAsync(new byte[] { 1 }));
        await Should.ThrowAsync<ChainIdMismatchException>(() => client.ConnectAsync());
        Node.CountOf("eth_sendRawTransaction").ShouldBe(0);
    }

    [Fact]
    public async Task ConnectAsync_Matching_AsksOnce()
    {
        Node.Respond = (_, _, _) => Reply.Result("\"0x7a69\"");
        var client = Client();
        await client.ConnectAsync();
        await client.ConnectAsync();
        Node.CountOf("eth_chainId").ShouldBe(1);
    }

    [Fact]
    public async Task RequestAsync_NodeNeverAnswers_TimesOutOnInjectedClockAsTransient()
    {
        var time = new TestClock();
        Node.Respond = (_, _, _) => Reply.NeverAnswer();
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
        Node.Respond = (_, _, _) => Reply.NeverAnswer();
        using var cts = new CancellationTokenSource();
        var call = Client().GetBlockNumberAsync(cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task WaitForReceiptAsync_NeverMined_ThrowsTimeoutAfterPollingOnInjectedClock()
    {
        var time = new TestClock();
        Node.Respond = (_, _, _) => Reply.Result("null");
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
        Node.CountOf("eth_getTransactionReceipt").ShouldBe(6);
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
        Node.Respond = (_, _, _) => ++polls >= 3 ? Reply.Result(Receipt) : Reply.Result("null");
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
}
