using System.Net;
using Microsoft.Extensions.Time.Testing;
using Nethereum.JsonRpc.Client;
using Settlement.Ethereum.Rpc;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>
/// The scenarios of <see cref="RpcTransportScenarios"/> over an application's Nethereum <see cref="IClient"/>
/// (a Nethereum <see cref="RpcClient"/> in front of the scripted node), and what differs there.
/// </summary>
public sealed class NethereumTransportTests : RpcTransportScenarios
{
    private protected override EthereumRpcClient Client(int maxRetries = 3, TimeProvider? time = null, ulong chainId = 31337) =>
        Client(maxRetries, time, chainId, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task SendRawTransactionAsync_HttpBadRequest_NotTransientAndSentOnce()
    {
        Node.Respond = (method, _, _) => method switch
        {
            "eth_chainId" => Reply.Result("\"0x7a69\""),
            _ => Reply.HttpStatus(HttpStatusCode.BadRequest),
        };
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => Client().SendRawTransactionAsync(new byte[] { 0x02, 0xc0 }));
        ex.IsTransient.ShouldBeFalse();
        ex.HttpStatusCode.ShouldBe(400);
        Node.CountOf("eth_sendRawTransaction").ShouldBe(1);
    }

    [Fact]
    public async Task GetTransactionReceiptAsync_NullResult_IsNotMinedYet()
    {
        Node.Respond = (_, _, _) => Reply.Result("null");
        (await Client().GetTransactionReceiptAsync(new byte[32])).ShouldBeNull();
    }

    [Fact]
    public async Task GetBlockNumberAsync_NodeNeverAnswers_TransientTimeoutAfterTheConfiguredTime()
    {
        var time = new FakeTimeProvider();
        Node.Respond = (_, _, _) => Reply.NeverAnswer();
        var call = Client(maxRetries: 0, time: time, chainId: 31337, requestTimeout: TimeSpan.FromSeconds(5)).GetBlockNumberAsync();
        await Task.Yield();
        call.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(5));
        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => call);
        ex.IsTransient.ShouldBeTrue();
        ex.Message.ShouldContain("no answer within 5 s");
    }

    [Fact]
    public async Task BatchAsync_OverNethereum_OneRequestEachInOrder()
    {
        Node.Respond = (method, _, i) => Reply.Result($"\"0x{i + 1:x}\"");
        var requests = Enumerable.Range(0, 3).Select(_ => new JsonRpcRequest("eth_blockNumber", [])).ToArray();
        var responses = await Client().BatchAsync(requests);
        responses.Select(r => Quantity.Parse(r.GetResult().GetString())).ShouldBe([1, 2, 3]);
        Node.Bodies.Count.ShouldBe(3);
    }

    private EthereumRpcClient Client(int maxRetries, TimeProvider? time, ulong chainId, TimeSpan requestTimeout) =>
        new(
            new RpcClient(new Uri("http://127.0.0.1:1/"), new HttpClient(Node) { BaseAddress = new Uri("http://127.0.0.1:1/") }),
            new EthereumRpcOptions { ChainId = chainId, MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.Zero, RequestTimeout = requestTimeout },
            timeProvider: time);
}
