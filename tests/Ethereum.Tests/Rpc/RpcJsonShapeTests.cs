using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>
/// A node's answer of the wrong JSON shape (a number where a log object belongs, an object where an array belongs) is a
/// <see cref="FormatException"/> naming what was wrong, as every other malformed answer; never the
/// <see cref="InvalidOperationException"/> or <see cref="KeyNotFoundException"/> that <c>JsonElement</c> throws.
/// </summary>
public sealed class RpcJsonShapeTests
{
    private const string Contract = "\"0x5fbdb2315678afecb367f032d93f642f64180aa3\"";
    private readonly ScriptedRpcHandler _node = new();

    private EthereumRpcClient Client() =>
        new(new HttpClient(_node), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:1/"), ChainId = 1 });

    public static TheoryData<string, string> Logs() => new()
    {
        { "{}", "Expected eth_getLogs' result as a JSON array, got Object." },
        { "\"0x\"", "Expected eth_getLogs' result as a JSON array, got String." },
        { "[5]", "Expected a log as a JSON object, got Number." },
        { "[[]]", "Expected a log as a JSON object, got Array." },
        { $"[{{\"address\":{Contract},\"topics\":[5],\"data\":\"0x\"}}]", "Expected 0x-hex data." },
        { $"[{{\"address\":{Contract},\"topics\":[]}}]", "Missing string member 'data'." },
    };

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task GetLogs_WrongShape_FormatExceptionWithReason(string result, string message)
    {
        _node.Respond = (_, _, _) => ScriptedRpcHandler.Reply.Result(result);
        var ex = await Should.ThrowAsync<FormatException>(() => Client().GetLogsAsync(new LogFilter { FromBlock = BlockParameter.Earliest, ToBlock = BlockParameter.Latest }));
        ex.Message.ShouldBe(message);
    }

    [Fact]
    public async Task GetLogs_WellFormed_Decoded()
    {
        _node.Respond = (_, _, _) => ScriptedRpcHandler.Reply.Result(
            $"[{{\"address\":{Contract},\"topics\":[\"0x{new string('a', 64)}\"],\"data\":\"0x01\",\"blockNumber\":\"0x7\",\"logIndex\":\"0x2\"}}]");
        var log = (await Client().GetLogsAsync(new LogFilter { FromBlock = BlockParameter.Earliest, ToBlock = BlockParameter.Latest })).ShouldHaveSingleItem();
        log.Address.ShouldBe(Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"));
        log.Topics.ShouldHaveSingleItem().ShouldBe(Enumerable.Repeat((byte)0xaa, 32).ToArray());
        log.Data.ShouldBe([(byte)1]);
        (log.BlockNumber, log.LogIndex).ShouldBe((7UL, 2UL));
    }

    [Theory]
    [InlineData("5", "Expected a receipt as a JSON object, got Number.")]
    [InlineData("[]", "Expected a receipt as a JSON object, got Array.")]
    [InlineData("\"0x\"", "Expected a receipt as a JSON object, got String.")]
    public async Task GetTransactionReceipt_WrongShape_FormatExceptionWithReason(string result, string message)
    {
        _node.Respond = (_, _, _) => ScriptedRpcHandler.Reply.Result(result);
        var ex = await Should.ThrowAsync<FormatException>(() => Client().GetTransactionReceiptAsync(new byte[32]));
        ex.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("5", "Expected a block as a JSON object, got Number.")]
    [InlineData("{\"number\":\"0x1\",\"hash\":\"0x01\",\"parentHash\":\"0x02\",\"timestamp\":\"0x3\",\"transactions\":[5]}", "Expected a block's transaction as a JSON object, got Number.")]
    public async Task GetBlockByNumber_WrongShape_FormatExceptionWithReason(string result, string message)
    {
        _node.Respond = (_, _, _) => ScriptedRpcHandler.Reply.Result(result);
        var ex = await Should.ThrowAsync<FormatException>(() => Client().GetBlockByNumberAsync(BlockParameter.Latest));
        ex.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("[]", "Expected a fee history as a JSON object, got Array.")]
    [InlineData("{\"oldestBlock\":\"0x1\"}", "Missing member 'baseFeePerGas'.")]
    [InlineData("{\"oldestBlock\":\"0x1\",\"baseFeePerGas\":\"0x1\"}", "Expected baseFeePerGas as a JSON array, got String.")]
    [InlineData("{\"oldestBlock\":\"0x1\",\"baseFeePerGas\":[\"0x1\"],\"gasUsedRatio\":[\"0.5\"]}", "Expected a gasUsedRatio number, got String.")]
    [InlineData("{\"oldestBlock\":\"0x1\",\"baseFeePerGas\":[\"0x1\"],\"reward\":[\"0x1\"]}", "Expected a block's rewards as a JSON array, got String.")]
    public async Task GetFeeHistory_WrongShape_FormatExceptionWithReason(string result, string message)
    {
        _node.Respond = (_, _, _) => ScriptedRpcHandler.Reply.Result(result);
        var ex = await Should.ThrowAsync<FormatException>(() => Client().GetFeeHistoryAsync(1));
        ex.Message.ShouldBe(message);
    }
}
