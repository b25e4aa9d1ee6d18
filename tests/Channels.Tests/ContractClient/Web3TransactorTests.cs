using System.Text.Json.Nodes;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Transactions;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="Web3Transactor"/> and <see cref="ChannelContract.FromWeb3Async"/> over a Nethereum <see cref="Web3"/>
/// whose RPC client talks to a scripted node: the account check, the gas estimate (+20 %) before sending, a reverted
/// estimate mapped to the contract's error with nothing broadcast, the chain-id check.
/// </summary>
public sealed class Web3TransactorTests
{
    // Hardhat's first development account; a public test key.
    private const string Hash = "0x1111111111111111111111111111111111111111111111111111111111111111";

    private const string Key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static readonly Address KeyAddress = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    private readonly ScriptedNode _node = new();

    private RpcClient Rpc() => new(new Uri("http://node.test/"), new HttpClient(_node) { BaseAddress = new Uri("http://node.test/") });

    private Web3 Web3WithAccount() => new(new Account(Key, 31337), Rpc());

    [Fact]
    public void Constructor_AccountsAddressAndRefusals()
    {
        var transactor = new Web3Transactor(Web3WithAccount());
        transactor.Sender.ShouldBe(KeyAddress);
        transactor.ToString().ShouldBe($"Web3Transactor({KeyAddress})");

        Should.Throw<ArgumentException>(() => new Web3Transactor(new Web3(Rpc())))
            .Message.ShouldBe("The Web3 instance has no account: create it with new Web3(account, url). (Parameter 'web3')");
        Should.Throw<ArgumentOutOfRangeException>(() => new Web3Transactor(Web3WithAccount(), TimeSpan.Zero)).ParamName.ShouldBe("receiptTimeout");
        Should.Throw<ArgumentNullException>(() => new Web3Transactor(null!)).ParamName.ShouldBe("web3");
        _ = new Web3Transactor(Web3WithAccount(), TimeSpan.FromTicks(1));
        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_EstimateReverts_ContractErrorNothingBroadcast()
    {
        var (_, _, data) = V.Errors.Single(e => e.Name == "ChannelClosingAlready");
        _node.Error("eth_estimateGas", 3, "execution reverted", Hex.Encode(data));
        var contract = new ChannelContract(_node.Client(), V.Contract);

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => ChannelContractCalldataTests.Invoke(contract, new Web3Transactor(Web3WithAccount()), "topUp eth"));

        ex.Function.ShouldBe("topUp");
        ex.ErrorName.ShouldBe("ChannelClosingAlready");
        var inner = ex.InnerException.ShouldBeOfType<JsonRpcServerException>();
        inner.Method.ShouldBe("eth_estimateGas/eth_sendRawTransaction");
        var estimate = _node.ParamsOf("eth_estimateGas").ShouldHaveSingleItem()![0]!;
        estimate["from"]!.GetValue<string>().ShouldBe(KeyAddress.ToString(), StringCompareShould.IgnoreCase);
        estimate["to"]!.GetValue<string>().ShouldBe(V.Contract.ToString(), StringCompareShould.IgnoreCase);
        estimate["data"]!.GetValue<string>().ShouldBe(Hex.Encode(V.Call("topUp eth").Data));
        estimate["value"]!.GetValue<string>().ShouldBe(Quantity.Format(V.Call("topUp eth").Value));
        _node.ParamsOf("eth_sendRawTransaction").ShouldBeEmpty();
        _node.ParamsOf("eth_sendTransaction").ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_Mined_ReceiptConvertedGasEstimatePlusTwentyPercent()
    {
        ScriptMinedSend(Receipt());
        var contract = new ChannelContract(_node.Client(), V.Contract);

        var receipt = await contract.SettleAsync(new Web3Transactor(Web3WithAccount()), V.Channel("eth"));

        receipt.Succeeded.ShouldBeTrue();
        receipt.BlockNumber.ShouldBe(10UL);
        receipt.From.ShouldBe(KeyAddress);
        var estimate = _node.ParamsOf("eth_estimateGas").ShouldHaveSingleItem()![0]!;
        estimate["data"]!.GetValue<string>().ShouldBe(Hex.Encode(V.Call("settle").Data));
        estimate["data"]!.GetValue<string>().ShouldStartWith("0x");

        // The raw transaction on the wire, read back by this codebase's own decoder (not Nethereum's): a 0x-prefixed
        // type-2 envelope for chain 31337, signed by the account, carrying ethers' call bytes exactly.
        var raw = _node.ParamsOf("eth_sendRawTransaction").ShouldHaveSingleItem()![0]!.GetValue<string>();
        raw.ShouldStartWith("0x02");
        var sent = SignedTransaction.Decode(Hex.Decode(raw), expectedChainId: 31337);
        sent.RawHex.ShouldBe(raw);
        sent.Sender.ShouldBe(KeyAddress);
        var body = sent.Transaction.ShouldBeOfType<Eip1559Transaction>();
        body.Data.ShouldBe(V.Call("settle").Data);
        body.To.ShouldBe(V.Contract);
        body.Value.ShouldBe(System.Numerics.BigInteger.Zero);
        body.Nonce.ShouldBe(5UL);
        body.GasLimit.ShouldBe(120_000UL);
    }

    [Fact]
    public async Task Send_NotMinedWithinTheTimeout_ReceiptTimeoutWithTheHash()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var polled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptMinedSend(receipt: null);
        _node.OnRequest = method =>
        {
            if (method == "eth_getTransactionReceipt")
            {
                polled.TrySetResult();
            }
        };
        var transactor = new Web3Transactor(Web3WithAccount(), TimeSpan.FromSeconds(30), time);

        var send = transactor.SendAsync(V.Contract, V.Call("settle").Data, 0);
        await polled.Task;
        time.Advance(TimeSpan.FromSeconds(30));

        var ex = await Should.ThrowAsync<TransactionReceiptTimeoutException>(() => send);
        Hex.Encode(ex.TransactionHash.ToArray()).ShouldBe(Hash);
        ex.Timeout.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Send_CallerCancelsWhileWaiting_CancellationNotTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var polled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptMinedSend(receipt: null);
        _node.OnRequest = method =>
        {
            if (method == "eth_getTransactionReceipt")
            {
                polled.TrySetResult();
            }
        };
        using var cancel = new CancellationTokenSource();
        var transactor = new Web3Transactor(Web3WithAccount(), TimeSpan.FromSeconds(30), time);

        var send = transactor.SendAsync(V.Contract, V.Call("settle").Data, 0, cancel.Token);
        await polled.Task;
        await cancel.CancelAsync();

        var ex = await Should.ThrowAsync<OperationCanceledException>(() => send);
        ex.ShouldNotBeOfType<TransactionReceiptTimeoutException>();
    }

    [Fact]
    public async Task Send_CallerCancelsAsTheTimeoutFires_CancellationNotTimeout()
    {
        // Both tokens are cancelled before the poll sees either: the caller asked to stop, so the caller's
        // cancellation is what comes back, not a receipt timeout.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var cancel = new CancellationTokenSource();
        ScriptMinedSend(receipt: null);
        _node.OnRequest = method =>
        {
            if (method == "eth_getTransactionReceipt")
            {
                cancel.Cancel();
                time.Advance(TimeSpan.FromSeconds(30));
            }
        };
        var transactor = new Web3Transactor(Web3WithAccount(), TimeSpan.FromSeconds(30), time);

        var ex = await Should.ThrowAsync<OperationCanceledException>(() => transactor.SendAsync(V.Contract, V.Call("settle").Data, 0, cancel.Token));

        ex.ShouldNotBeOfType<TransactionReceiptTimeoutException>();
        _node.ParamsOf("eth_sendRawTransaction").Count.ShouldBe(1);
    }

    [Fact]
    public async Task FromWeb3Async_ChainChecked_BoundToTheAddress()
    {
        var contract = await ChannelContract.FromWeb3Async(Web3WithAccount(), V.Contract, 31337);

        contract.Address.ShouldBe(V.Contract);
        contract.Domain.ChainId.ShouldBe(31337UL);
        _node.ParamsOf("eth_chainId").Count.ShouldBe(1);

        await Should.ThrowAsync<ChainIdMismatchException>(() => ChannelContract.FromWeb3Async(Web3WithAccount(), V.Contract, 1));
        await Should.ThrowAsync<ArgumentNullException>(() => ChannelContract.FromWeb3Async(null!, V.Contract, 1));
    }

    private void ScriptMinedSend(JsonObject? receipt) =>
        _node.Answer("eth_estimateGas", "0x186a0")
            .Answer("eth_getTransactionCount", "0x5")
            .Answer("eth_gasPrice", "0x3b9aca00")
            .Answer("eth_maxPriorityFeePerGas", "0x3b9aca00")
            .Answer("eth_feeHistory", new JsonObject { ["oldestBlock"] = "0x1", ["baseFeePerGas"] = new JsonArray("0x3b9aca00", "0x3b9aca00"), ["gasUsedRatio"] = new JsonArray(0.5), ["reward"] = new JsonArray(new JsonArray("0x3b9aca00")) })
            .Answer("eth_getBlockByNumber", new JsonObject { ["number"] = "0x9", ["hash"] = Hash, ["parentHash"] = Hash, ["timestamp"] = "0x1", ["baseFeePerGas"] = "0x3b9aca00", ["gasLimit"] = "0x1c9c380", ["gasUsed"] = "0x0" })
            .Answer("eth_sendRawTransaction", Hash)
            .Answer("eth_getTransactionReceipt", receipt);

    private static JsonObject Receipt() => new()
    {
        ["transactionHash"] = Hash, ["transactionIndex"] = "0x0", ["blockHash"] = Hash, ["blockNumber"] = "0xa",
        ["from"] = KeyAddress.ToLowerHex(), ["to"] = V.Contract.ToLowerHex(), ["cumulativeGasUsed"] = "0x5208", ["gasUsed"] = "0x5208",
        ["effectiveGasPrice"] = "0x3b9aca00", ["contractAddress"] = null, ["logs"] = new JsonArray(), ["logsBloom"] = "0x" + new string('0', 512),
        ["status"] = "0x1", ["type"] = "0x2",
    };
}
