using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

/// <summary>The JSON-RPC client's reads against a real node; run once per node kind.</summary>
public abstract class RpcClientTests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    private static readonly HttpClient Http = new();

    protected TNode Node { get; } = node;

    protected EthereumRpcClient Client(ulong? chainId = null) =>
        new(Http, new EthereumRpcOptions { Url = Node.RpcUrl, ChainId = chainId ?? Node.ChainId });

    [Fact]
    public async Task GetChainIdAsync_DevNode_Returns31337()
    {
        (await Client().GetChainIdAsync()).ShouldBe(31337UL);
    }

    [Fact]
    public async Task ConnectAsync_MatchingChainId_Succeeds()
    {
        await Client().ConnectAsync();
    }

    [Fact]
    public async Task ConnectAsync_OtherChainId_ThrowsMismatchNamingBoth()
    {
        var ex = await Should.ThrowAsync<ChainIdMismatchException>(() => Client(chainId: 1).ConnectAsync());
        ex.ExpectedChainId.ShouldBe(1UL);
        ex.ActualChainId.ShouldBe(31337UL);
        ex.Message.ShouldContain("31337");
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task SendRawTransactionAsync_OtherChainId_RefusesBeforeSending()
    {
        var before = await Node.BlockNumberAsync();
        await Should.ThrowAsync<ChainIdMismatchException>(() => Client(chainId: 5).SendRawTransactionAsync(new byte[] { 0x01 }));
        (await Node.BlockNumberAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Accounts_DevNode_AreTheHardCodedDevAccounts()
    {
        var result = await Client().RequestAsync("eth_accounts");
        var accounts = result.EnumerateArray().Select(a => Ethereum.Addresses.Address.Parse(a.GetString()!.ToLowerInvariant())).ToArray();
        accounts.Take(10).ShouldBe(DevAccounts.Addresses);
    }

    [Fact]
    public async Task GetBalanceAsync_AfterSetBalance_ReturnsIt()
    {
        var account = Ethereum.Addresses.Address.FromBytes(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
        var wei = BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture);
        await Node.SetBalanceAsync(account, wei);
        (await Client().GetBalanceAsync(account)).ShouldBe(wei);
    }

    [Fact]
    public async Task GetTransactionCountAsync_FreshAccount_IsZero()
    {
        var account = Ethereum.Addresses.Address.FromBytes(Enumerable.Repeat((byte)0x77, 20).ToArray());
        (await Client().GetTransactionCountAsync(account, BlockParameter.Pending)).ShouldBe(0UL);
    }

    [Fact]
    public async Task GetBlockByNumberAsync_Latest_HasBaseFeeAndMatchesBlockNumber()
    {
        var client = Client();
        var number = await client.GetBlockNumberAsync();
        var block = await client.GetBlockByNumberAsync(number);
        block.ShouldNotBeNull();
        block.Number.ShouldBe(number);
        block.Hash.Length.ShouldBe(32);
        block.BaseFeePerGas.ShouldNotBeNull();
        block.BaseFeePerGas.Value.Sign.ShouldBePositive();
    }

    [Fact]
    public async Task GetBlockByNumberAsync_FutureBlock_ReturnsNull()
    {
        (await Client().GetBlockByNumberAsync(10_000_000UL)).ShouldBeNull();
    }

    [Fact]
    public async Task FeeQueries_DevNode_ReturnPositiveValues()
    {
        var client = Client();
        (await client.GetGasPriceAsync()).Sign.ShouldBePositive();
        (await client.GetMaxPriorityFeePerGasAsync()).Sign.ShouldBeGreaterThanOrEqualTo(0);
        var history = await client.GetFeeHistoryAsync(1, BlockParameter.Latest, [50.0]);
        history.BaseFeePerGas.Count.ShouldBe(2);
        history.BaseFeePerGas[0].Sign.ShouldBePositive();
    }

    [Fact]
    public async Task BatchAsync_MixedRequests_ReturnsEachInOrderWithPerRequestErrors()
    {
        var client = Client();
        var account = DevAccounts.Addresses[9];
        await Node.SetBalanceAsync(account, 4242);
        var responses = await client.BatchAsync(
        [
            JsonRpcRequest.Create("eth_chainId"),
            JsonRpcRequest.Create("eth_getBalance", account.ToLowerHex(), "latest"),
            JsonRpcRequest.Create("no_suchMethod"),
            JsonRpcRequest.Create("eth_blockNumber"),
        ]);
        responses.Count.ShouldBe(4);
        Quantity.Parse(responses[0].GetResult().GetString()).ShouldBe(31337);
        Quantity.Parse(responses[1].GetResult().GetString()).ShouldBe(4242);
        responses[2].IsSuccess.ShouldBeFalse();
        responses[2].Error!.Code.ShouldNotBeNull();
        Should.Throw<JsonRpcServerException>(() => responses[2].GetResult());
        responses[3].IsSuccess.ShouldBeTrue();
    }

    [Fact]
    public async Task BatchAsync_MoreThanMaxBatchSize_SplitsAndKeepsOrder()
    {
        var client = new EthereumRpcClient(Http, new EthereumRpcOptions { Url = Node.RpcUrl, ChainId = Node.ChainId, MaxBatchSize = 7 });
        var requests = Enumerable.Range(0, 30)
            .Select(i => JsonRpcRequest.Create("eth_getBlockByNumber", Quantity.Format((ulong)0), false))
            .Concat([JsonRpcRequest.Create("eth_chainId")])
            .ToArray();
        var responses = await client.BatchAsync(requests);
        responses.Count.ShouldBe(31);
        responses.Take(30).ShouldAllBe(r => r.GetResult().GetProperty("number").GetString() == "0x0");
        responses[30].GetResult().GetString().ShouldBe("0x7a69");
    }

    [Fact]
    public async Task RequestAsync_UnknownMethod_ThrowsServerErrorNotTransient()
    {
        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Client().RequestAsync("no_suchMethod", new JsonNode?[] { 1 }));
        ex.IsTransient.ShouldBeFalse();
        ex.Method.ShouldBe("no_suchMethod");
        ex.Code.ShouldNotBeNull();
    }

    [Fact]
    public async Task GetLogsAsync_EmptyRange_ReturnsEmptyList()
    {
        var logs = await Client().GetLogsAsync(new LogFilter { FromBlock = 0UL, ToBlock = BlockParameter.Latest, Addresses = [DevAccounts.Addresses[8]] });
        logs.ShouldBeEmpty();
    }

    [Fact]
    public async Task SnapshotRevert_BalanceChange_IsUndone()
    {
        var account = DevAccounts.Addresses[7];
        var client = Client();
        var before = await client.GetBalanceAsync(account);
        var snapshot = await Node.SnapshotAsync();
        await Node.SetBalanceAsync(account, 1);
        (await client.GetBalanceAsync(account)).ShouldBe(1);
        (await Node.RevertAsync(snapshot)).ShouldBeTrue();
        (await client.GetBalanceAsync(account)).ShouldBe(before);
    }

    [Fact]
    public async Task Mine_ThreeBlocks_AdvancesBlockNumberByThree()
    {
        var client = Client();
        var before = await client.GetBlockNumberAsync();
        await Node.MineAsync(3);
        (await client.GetBlockNumberAsync()).ShouldBe(before + 3);
    }

    [Fact]
    public async Task RequestAsync_ResultElement_OutlivesResponse()
    {
        var result = await Client().RequestAsync("eth_getBlockByNumber", new JsonNode?[] { "0x0", false });
        result.ValueKind.ShouldBe(JsonValueKind.Object);
        result.GetProperty("number").GetString().ShouldBe("0x0");
    }
}
