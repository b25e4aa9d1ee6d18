using System.Net;
using System.Numerics;
using System.Text.RegularExpressions;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

public sealed partial class TransactionSenderTests
{
    private const string DevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static readonly Address To = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private readonly ScriptedRpcHandler _node = new();

    private (TransactionSender Sender, NonceManager Nonces) Create(int gasMarginPercent = 20)
    {
        var client = new EthereumRpcClient(new HttpClient(_node), new EthereumRpcOptions
        {
            Url = new Uri("http://127.0.0.1:1/"), ChainId = 31337, MaxRetries = 2, RetryBaseDelay = TimeSpan.Zero,
        });
        var nonces = new NonceManager(client);
        return (new TransactionSender(client, nonces, new TransactionSenderOptions { GasMarginPercent = gasMarginPercent }), nonces);
    }

    private Func<string, System.Text.Json.JsonElement, int, Reply> Node(Func<string, Reply?> send) => (method, _, _) => method switch
    {
        "eth_chainId" => Reply.Result("\"0x7a69\""),
        "eth_estimateGas" => Reply.Result("\"0x5208\""),
        "eth_getBlockByNumber" => Reply.Result("""{"number":"0x10","hash":"0x1111111111111111111111111111111111111111111111111111111111111111","parentHash":"0x2222222222222222222222222222222222222222222222222222222222222222","timestamp":"0x1","baseFeePerGas":"0x3b9aca00","transactions":[]}"""),
        "eth_maxPriorityFeePerGas" => Reply.Error(-32601, "method not found"),
        "eth_getTransactionCount" => Reply.Result("\"0x9\""),
        "eth_getTransactionByHash" => Reply.Result("null"),
        _ => send(method) ?? Reply.Result("null"),
    };

    private string[] SentRaws() => _node.Bodies
        .Where(b => b.Contains("eth_sendRawTransaction", StringComparison.Ordinal))
        .Select(b => RawPattern().Match(b).Groups[1].Value)
        .ToArray();

    [GeneratedRegex("\"params\":\\[\"(0x[0-9a-f]+)\"\\]")]
    private static partial Regex RawPattern();

    [Fact]
    public async Task SubmitAsync_NodeUnreachableForSend_RetriesSameBytesNeverResigns()
    {
        _node.Respond = Node(_ => Reply.HttpStatus(HttpStatusCode.ServiceUnavailable));
        var (sender, nonces) = Create();
        using var key = PrivateKey.ParseHex(DevKey);

        var ex = await Should.ThrowAsync<JsonRpcTransportException>(() => sender.SubmitAsync(key, To, ReadOnlyMemory<byte>.Empty, 1));
        ex.IsTransient.ShouldBeTrue();

        var raws = SentRaws();
        raws.Length.ShouldBe(3);
        raws.Distinct().Count().ShouldBe(1);
        var tx = SignedTransaction.Decode(Hex.Decode(raws[0]), 31337);
        tx.Transaction.Nonce.ShouldBe(9UL);
        nonces.PeekNext(key.Address).ShouldBe(9UL);
    }

    [Fact]
    public async Task SubmitAsync_PricesFromBaseFeeWithFallbackTipAndGasMargin()
    {
        _node.Respond = (method, p, i) => method == "eth_sendRawTransaction"
            ? Reply.Result($"\"{Hex.Encode(Keccak256.Hash(Hex.Decode(p[0].GetString()!)))}\"")
            : Node(_ => null)(method, p, i);
        var (sender, nonces) = Create(gasMarginPercent: 50);
        using var key = PrivateKey.ParseHex(DevKey);

        var signed = await sender.SubmitAsync(key, To, new byte[] { 1, 2 }, 7);

        var tx = signed.Transaction.ShouldBeOfType<Eip1559Transaction>();
        tx.ChainId.ShouldBe(31337UL);
        tx.Nonce.ShouldBe(9UL);
        tx.GasLimit.ShouldBe(31_500UL);
        tx.MaxPriorityFeePerGas.ShouldBe(new BigInteger(1_000_000_000));
        tx.MaxFeePerGas.ShouldBe(new BigInteger(3_000_000_000));
        tx.Value.ShouldBe(new BigInteger(7));
        signed.Sender.ShouldBe(key.Address);
        nonces.PeekNext(key.Address).ShouldBe(10UL);
    }

    [Fact]
    public async Task SubmitAsync_ErrorWithoutRevertButNodeHoldsTheTransaction_ReturnedWithoutWaitingForItsReceipt()
    {
        _node.Respond = (method, p, i) => method switch
        {
            "eth_sendRawTransaction" => Reply.Error(-32000, "txpool is full"),
            "eth_getTransactionByHash" => Reply.Result($"{{\"hash\":\"{p[0].GetString()}\"}}"),
            _ => Node(_ => null)(method, p, i),
        };
        var client = new EthereumRpcClient(new HttpClient(_node), new EthereumRpcOptions
        {
            Url = new Uri("http://127.0.0.1:1/"), ChainId = 31337, MaxRetries = 0, RetryBaseDelay = TimeSpan.Zero,
        });
        var nonces = new NonceManager(client);
        var sender = new TransactionSender(client, nonces, new TransactionSenderOptions { ReceiptTimeout = TimeSpan.FromSeconds(1), ReceiptPollInterval = TimeSpan.FromMilliseconds(50) });
        using var key = PrivateKey.ParseHex(DevKey);

        var signed = await sender.SubmitAsync(key, To, ReadOnlyMemory<byte>.Empty, 1);

        signed.Transaction.Nonce.ShouldBe(9UL);
        nonces.PeekNext(key.Address).ShouldBe(10UL); // the node holds it: its nonce stays used
        _node.Bodies.ShouldNotContain(b => b.Contains("eth_getTransactionReceipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitAsync_NodeRefuses_ReleasesNonceForNextTransaction()
    {
        var refuse = true;
        _node.Respond = (method, p, i) => method == "eth_sendRawTransaction"
            ? (refuse ? Reply.Error(-32000, "insufficient funds for gas * price + value") : Reply.Result($"\"{Hex.Encode(Keccak256.Hash(Hex.Decode(p[0].GetString()!)))}\""))
            : Node(_ => null)(method, p, i);
        var (sender, _) = Create();
        using var key = PrivateKey.ParseHex(DevKey);

        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => sender.SubmitAsync(key, To, ReadOnlyMemory<byte>.Empty, 1));
        ex.NodeMessage.ShouldContain("insufficient funds");
        _node.CountOf("eth_sendRawTransaction").ShouldBe(1);

        refuse = false;
        var signed = await sender.SubmitAsync(key, To, ReadOnlyMemory<byte>.Empty, 1);
        signed.Transaction.Nonce.ShouldBe(9UL);
    }

    [Fact]
    public async Task SendAsync_EstimateRevertsWithoutData_RevertDataNullNothingSent()
    {
        _node.Respond = (method, p, i) => method == "eth_estimateGas"
            ? Reply.Error(-32000, "execution reverted")
            : Node(_ => null)(method, p, i);
        var (sender, nonces) = Create();
        using var key = PrivateKey.ParseHex(DevKey);

        var ex = await Should.ThrowAsync<TransactionRevertedException>(() => sender.SendAsync(key, To, new byte[] { 9 }, 0));

        ex.RevertData.ShouldBeNull();
        ex.Reason.ShouldBeNull();
        ex.TryDecodeRevert(null, out _).ShouldBeFalse();
        _node.CountOf("eth_sendRawTransaction").ShouldBe(0);
        nonces.PeekNext(key.Address).ShouldBeNull();
    }

    [Fact]
    public async Task SendAsync_EstimateReverts_ThrowsWithReasonAndSendsNothing()
    {
        const string ErrorNope = "0x08c379a0" +
            "0000000000000000000000000000000000000000000000000000000000000020" +
            "0000000000000000000000000000000000000000000000000000000000000004" +
            "6e6f706500000000000000000000000000000000000000000000000000000000";
        _node.Respond = (method, p, i) => method == "eth_estimateGas"
            ? Reply.Error(3, "execution reverted: nope", $"\"{ErrorNope}\"")
            : Node(_ => null)(method, p, i);
        var (sender, nonces) = Create();
        using var key = PrivateKey.ParseHex(DevKey);

        var ex = await Should.ThrowAsync<TransactionRevertedException>(() => sender.SendAsync(key, To, new byte[] { 9 }, 0));
        ex.Receipt.ShouldBeNull();
        ex.Reason.ShouldBe("nope");
        _node.CountOf("eth_sendRawTransaction").ShouldBe(0);
        nonces.PeekNext(key.Address).ShouldBeNull();
    }

    [Fact]
    public async Task SendAsync_MinedWithStatusZero_ThrowsWithReceiptAndReplayedReason()
    {
        const string ErrorLimit = "0x08c379a0" +
            "0000000000000000000000000000000000000000000000000000000000000020" +
            "0000000000000000000000000000000000000000000000000000000000000005" +
            "6c696d6974000000000000000000000000000000000000000000000000000000";
        string? hash = null;
        string? callBlock = null;
        _node.Respond = (method, p, i) => method switch
        {
            "eth_sendRawTransaction" => Reply.Result($"\"{hash = Hex.Encode(Keccak256.Hash(Hex.Decode(p[0].GetString()!)))}\""),
            "eth_getTransactionReceipt" => Reply.Result($$"""
                {"transactionHash":"{{hash}}","blockNumber":"0x11","blockHash":"0x3333333333333333333333333333333333333333333333333333333333333333",
                 "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","status":"0x0",
                 "gasUsed":"0x6000","logs":[]}
                """),
            "eth_call" => RevertAt(p[1].GetString()),
            _ => Node(_ => null)(method, p, i),
        };
        var (sender, _) = Create();
        using var key = PrivateKey.ParseHex(DevKey);

        var ex = await Should.ThrowAsync<TransactionRevertedException>(() => sender.SendAsync(key, To, new byte[] { 1 }, 0));

        Reply RevertAt(string? block)
        {
            callBlock = block;
            return Reply.Error(3, "execution reverted: limit", $"\"{ErrorLimit}\"");
        }

        ex.Receipt.ShouldNotBeNull();
        ex.Receipt.Succeeded.ShouldBeFalse();
        ex.Receipt.BlockNumber.ShouldBe(17UL);
        ex.Reason.ShouldBe("limit");
        callBlock.ShouldBe("0x10");
    }

    [Fact]
    public async Task BatchAsync_503ThenAnswer_RetriesWholeReadBatch()
    {
        var calls = 0;
        var handler = new FailFirstHandler(_node, () => Interlocked.Increment(ref calls) == 1);
        var client = new EthereumRpcClient(new HttpClient(handler), new EthereumRpcOptions
        {
            Url = new Uri("http://127.0.0.1:1/"), ChainId = 31337, MaxRetries = 2, RetryBaseDelay = TimeSpan.Zero,
        });
        _node.Respond = (_, _, _) => Reply.Result("\"0x1\"");

        var responses = await client.BatchAsync([JsonRpcRequest.Create("eth_blockNumber"), JsonRpcRequest.Create("eth_chainId")]);

        responses.Select(r => r.GetResult().GetString()).ShouldBe(["0x1", "0x1"]);
        calls.ShouldBe(2);
    }

    [Fact]
    public void RequireNodeModule_Missing_SaysHowToInstall()
    {
        var ex = Should.Throw<InvalidOperationException>(() => Settlement.Testing.RepositoryPaths.RequireNodeModule("no-such-package/index.js"));
        ex.Message.ShouldContain("./test.sh");
        ex.Message.ShouldContain(".ci/bootstrap.sh");
    }

    private sealed class FailFirstHandler(HttpMessageHandler inner, Func<bool> fail) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fail() ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)) : base.SendAsync(request, cancellationToken);
    }
}
