using System.Net;
using Microsoft.Extensions.Time.Testing;
using Nethereum.JsonRpc.Client;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>
/// <see cref="EthereumRpcClient"/> over an application's Nethereum <see cref="IClient"/>: the same results, retries,
/// revert data and chain check as over our own HTTP transport (<see cref="EthereumRpcClientTests"/>).
/// </summary>
public sealed class NethereumTransportTests
{
    private const string ErrorNope = "0x08c379a0" +
        "0000000000000000000000000000000000000000000000000000000000000020" +
        "0000000000000000000000000000000000000000000000000000000000000004" +
        "6e6f706500000000000000000000000000000000000000000000000000000000";

    private readonly ScriptedRpcHandler _node = new();

    private EthereumRpcClient Client(int maxRetries = 3, TimeProvider? time = null, TimeSpan? requestTimeout = null) =>
        new(
            new RpcClient(new Uri("http://127.0.0.1:1/"), new HttpClient(_node) { BaseAddress = new Uri("http://127.0.0.1:1/") }),
            new EthereumRpcOptions { ChainId = 31337, MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.Zero, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) },
            timeProvider: time);

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
    public async Task SendRawTransactionAsync_HttpBadRequest_NotTransientAndSentOnce()
    {
        var raw = new byte[] { 0x02, 0xc0 };
        _node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            _ => Reply.HttpStatus(HttpStatusCode.BadRequest),
        };
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().SendRawTransactionAsync(raw));
        ex.IsTransient.ShouldBeFalse();
        ex.HttpStatusCode.ShouldBe(400);
        _node.CountOf("eth_sendRawTransaction").ShouldBe(1);
    }

    [Fact]
    public async Task CallAsync_RevertWithErrorString_ThrowsWithDecodedReasonAndNoRetry()
    {
        _node.Respond = (_, _, _) => Reply.Error(3, "execution reverted: nope", $"\"{ErrorNope}\"");
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().CallAsync(new CallRequest { To = Address.Zero }));
        ex.Code.ShouldBe(3);
        ex.IsRevert.ShouldBeTrue();
        ex.RevertReason.ShouldBe("nope");
        Hex.Encode(ex.RevertData!.Value.Span).ShouldBe(ErrorNope);
        _node.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public async Task GetTransactionReceiptAsync_NullResult_IsNotMinedYet()
    {
        _node.Respond = (_, _, _) => Reply.Result("null");
        (await Client().GetTransactionReceiptAsync(new byte[32])).ShouldBeNull();
    }

    [Fact]
    public async Task ConnectAsync_OtherChain_ThrowsMismatch()
    {
        _node.Respond = (_, _, _) => Reply.Result("\"0x1\"");
        var ex = await Should.ThrowAsync<ChainIdMismatchException>(() => Client().ConnectAsync());
        ex.ExpectedChainId.ShouldBe(31337UL);
        ex.ActualChainId.ShouldBe(1UL);
    }

    [Fact]
    public async Task GetBlockNumberAsync_NodeNeverAnswers_TransientTimeoutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        _node.Respond = (_, _, _) => Reply.NeverAnswer();
        var call = Client(maxRetries: 0, time: time, requestTimeout: TimeSpan.FromSeconds(5)).GetBlockNumberAsync();
        await Task.Yield();
        call.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(5));
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => call);
        ex.IsTransient.ShouldBeTrue();
        ex.Message.ShouldContain("no answer within 5 s");
    }
}
