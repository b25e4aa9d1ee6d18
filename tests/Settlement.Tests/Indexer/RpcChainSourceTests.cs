using System.Text.Json.Nodes;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Source;
using Settlement.Testing.Rpc;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// <see cref="RpcChainSource"/> over <see cref="EthereumRpcClient"/> against a node scripted per JSON-RPC method: the
/// answers it maps, a missing block, and the one node error it turns into data (a log range refused as too large).
/// </summary>
public sealed class RpcChainSourceTests
{
    private const string Hash = "0x1111111111111111111111111111111111111111111111111111111111111111";
    private const string Parent = "0x2222222222222222222222222222222222222222222222222222222222222222";

    private readonly Node _node = new();

    private RpcChainSource Source()
    {
        var http = new HttpClient(_node);
        return new RpcChainSource(new EthereumRpcClient(http, new EthereumRpcOptions { Url = new Uri("http://node.test"), ChainId = 31337, MaxRetries = 0 }));
    }

    [Fact]
    public async Task ChainIdAndHead_FromTheNode()
    {
        _node.Answer("eth_blockNumber", JsonValue.Create("0x2a"));
        var source = Source();

        (await source.GetChainIdAsync()).ShouldBe(31337UL);
        (await source.GetHeadAsync()).ShouldBe(42UL);
    }

    [Fact]
    public async Task GetBlock_NumberHashAndParentAsLowerHex()
    {
        _node.Answer("eth_getBlockByNumber", new JsonObject { ["number"] = "0x5", ["hash"] = Hash.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), ["parentHash"] = Parent, ["timestamp"] = "0x1" });

        var block = await Source().GetBlockAsync(5);

        block.ShouldBe(new ChainBlock(5, Hash, Parent));
        _node.Params("eth_getBlockByNumber").ShouldBe("[\"0x5\",false]");
    }

    [Fact]
    public async Task GetBlock_NodeHasNone_Null()
    {
        _node.Answer("eth_getBlockByNumber", null);

        (await Source().GetBlockAsync(9)).ShouldBeNull();
    }

    [Fact]
    public async Task GetLogs_TheRangeAndAddressesAsked_LogsReturned()
    {
        _node.Answer("eth_getLogs", new JsonArray(new JsonObject
        {
            ["address"] = ScriptedChain.Token.ToLowerHex(), ["topics"] = new JsonArray(Hash), ["data"] = "0x01",
            ["blockNumber"] = "0x3", ["blockHash"] = Hash, ["transactionHash"] = Parent, ["logIndex"] = "0x0",
        }));

        var result = await Source().GetLogsAsync(3, 4, [ScriptedChain.Contract, ScriptedChain.Token]);

        result.RangeTooLarge.ShouldBeNull();
        var log = result.Logs.ShouldHaveSingleItem();
        log.Address.ShouldBe(ScriptedChain.Token);
        Hex.Encode(log.BlockHash!).ShouldBe(Hash);
        log.BlockNumber.ShouldBe(3UL);
        var filter = JsonNode.Parse(_node.Params("eth_getLogs"))![0]!;
        filter["fromBlock"]!.GetValue<string>().ShouldBe("0x3");
        filter["toBlock"]!.GetValue<string>().ShouldBe("0x4");
        filter["address"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe([ScriptedChain.Contract.ToLowerHex(), ScriptedChain.Token.ToLowerHex()]);
    }

    [Fact]
    public async Task GetLogs_NodeRefusesTheRangeAsTooLarge_DataWithTheNodesMessage()
    {
        _node.Error("eth_getLogs", -32000, "query returned more than 10000 results");

        var result = await Source().GetLogsAsync(0, 100_000, [ScriptedChain.Token]);

        result.RangeTooLarge.ShouldBe("query returned more than 10000 results");
        result.Logs.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetLogs_OtherNodeError_Thrown()
    {
        _node.Error("eth_getLogs", -32602, "invalid params");

        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Source().GetLogsAsync(0, 1, [ScriptedChain.Token]));

        ex.ErrorCode.ShouldBe(-32602);
    }

    [Fact]
    public void Constructor_NoClient_Refused() =>
        Should.Throw<ArgumentNullException>(() => new RpcChainSource(null!));

    /// <summary>A JSON-RPC node with one answer (result or error) per method; records each request's params.</summary>
    private sealed class Node : JsonRpcHandler
    {
        private readonly Dictionary<string, JsonObject> _answers = new(StringComparer.Ordinal);

        public Node() => Answer("eth_chainId", JsonValue.Create("0x7a69"));

        public void Answer(string method, JsonNode? result) => _answers[method] = Result(result);

        public void Error(string method, int code, string message) => _answers[method] = Error(code, message);

        public string Params(string method) => Requests.Last(r => r.Method == method).Params;

        protected override JsonObject Respond(string method, JsonArray parameters) => (JsonObject)_answers[method].DeepClone();
    }
}
