using System.Numerics;
using Nethereum.ABI.Model;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;
using Settlement.Testing;
using Settlement.Testing.Abi;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

/// <summary>
/// Sending, deploying, calling, events, reverts and concurrent nonces against a real node; run once
/// per node kind. Each test uses its own fresh funded account, so tests do not share nonces.
/// </summary>
public abstract class TransactionSenderTests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    private const string ProbePath = "tests/Ethereum.IntegrationTests/Contracts/Probe.sol";
    private static readonly HttpClient Http = new();
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    protected TNode Node { get; } = node;

    private EthereumRpcClient Client(ulong? chainId = null, TimeProvider? time = null) =>
        new(Http, new EthereumRpcOptions { Url = Node.RpcUrl, ChainId = chainId ?? Node.ChainId }, timeProvider: time);

    private static TransactionSender Sender(EthereumRpcClient client, NonceManager? nonces = null) =>
        new(client, nonces ?? new NonceManager(client), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(20) });

    private async Task<PrivateKey> FundedAccountAsync(BigInteger? wei = null)
    {
        var key = PrivateKey.Generate();
        await Node.SetBalanceAsync(key.Address, wei ?? 100 * Ether);
        return key;
    }

    private async Task<(Address Address, ContractABI Abi, TransactionReceipt Receipt)> DeployProbeAsync(TransactionSender sender, PrivateKey key, BigInteger initial)
    {
        var probe = await SolidityCompiler.CompileAsync(ProbePath, "Probe");
        var initCode = probe.Bytecode.Concat(TestAbi.Encode(["uint256"], initial)).ToArray();
        var receipt = await sender.SendAsync(key, null, initCode, BigInteger.Zero);
        receipt.ContractAddress.ShouldNotBeNull();
        return (receipt.ContractAddress.Value, probe.Abi, receipt);
    }

    private static async Task<object?[]> CallAsync(EthereumRpcClient client, Address contract, ContractABI abi, string function, params object?[] args)
    {
        var f = abi.Function(function);
        var output = await client.CallAsync(new CallRequest { To = contract, Data = f.EncodeCall(args) });
        return f.DecodeOutput(output);
    }

    [Fact]
    public async Task SendAsync_EtherToNewAccount_FundsItAndItCanSpend()
    {
        var client = Client();
        var sender = Sender(client);
        using var funder = await FundedAccountAsync();
        using var fresh = PrivateKey.Generate();

        var receipt = await sender.SendAsync(funder, fresh.Address, ReadOnlyMemory<byte>.Empty, 2 * Ether);
        receipt.Succeeded.ShouldBeTrue();
        receipt.From.ShouldBe(funder.Address);
        receipt.To.ShouldBe(fresh.Address);
        (await client.GetBalanceAsync(fresh.Address)).ShouldBe(2 * Ether);

        var back = await sender.SendAsync(fresh, funder.Address, ReadOnlyMemory<byte>.Empty, Ether / 10);
        back.Succeeded.ShouldBeTrue();
        var spent = 2 * Ether - (Ether / 10) - (back.GasUsed * back.EffectiveGasPrice);
        (await client.GetBalanceAsync(fresh.Address)).ShouldBe(spent);
        (await client.GetTransactionCountAsync(fresh.Address)).ShouldBe(1UL);
    }

    [Fact]
    public async Task DeployAndCall_Probe_StoresValueAndEmitsDecodableEvent()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 5);
        (await client.GetCodeAsync(probe)).Length.ShouldBeGreaterThan(0);
        (await CallAsync(client, probe, abi, "counter"))[0].ShouldBe(new BigInteger(5));

        var receipt = await sender.SendAsync(key, probe, abi.Function("store").EncodeCall(new BigInteger(42), new BigInteger(1000), "hello"), BigInteger.Zero);

        receipt.Logs.Count.ShouldBe(1);
        var log = receipt.Logs[0];
        log.Address.ShouldBe(probe);
        var storedTopic = abi.EventTopic0("Stored");
        log.Topics[0].ShouldBe(storedTopic);
        var decoded = abi.DecodeEvent("Stored", log);
        decoded["by"].ShouldBe(key.Address);
        decoded["key"].ShouldBe(new BigInteger(42));
        decoded["note"].ShouldBe("hello");
        decoded["value"].ShouldBe(new BigInteger(1000));
        (await CallAsync(client, probe, abi, "values", new BigInteger(42)))[0].ShouldBe(new BigInteger(1000));
        (await CallAsync(client, probe, abi, "counter"))[0].ShouldBe(new BigInteger(6));

        var logs = await client.GetLogsAsync(new LogFilter
        {
            FromBlock = receipt.BlockNumber,
            ToBlock = receipt.BlockNumber,
            Addresses = [probe],
            Topics = [[storedTopic]],
        });
        logs.Count.ShouldBe(1);
        logs[0].TransactionHash.ShouldBe(receipt.TransactionHash);
    }

    [Fact]
    public async Task SendAsync_EtherToProbe_EmitsReceived()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 0);
        var receipt = await sender.SendAsync(key, probe, ReadOnlyMemory<byte>.Empty, 12345);
        var decoded = abi.DecodeEvent("Received", receipt.Logs[0]);
        decoded["from"].ShouldBe(key.Address);
        decoded["amount"].ShouldBe(new BigInteger(12345));
        (await client.GetBalanceAsync(probe)).ShouldBe(12345);
    }

    [Fact]
    public async Task CallAsync_RevertKinds_DecodedFromNodeData()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 0);
        await sender.SendAsync(key, probe, ReadOnlyMemory<byte>.Empty, 777);

        var message = await Should.ThrowAsync<JsonRpcServerException>(() => CallAsync(client, probe, abi, "failWithMessage", "boom"));
        message.RevertReason.ShouldBe("boom");
        message.IsRevert.ShouldBeTrue();

        var custom = await Should.ThrowAsync<JsonRpcServerException>(() => CallAsync(client, probe, abi, "failWithCustom", new BigInteger(9)));
        custom.TryDecodeRevert(abi.ErrorList(), out var reason).ShouldBeTrue();
        reason.Kind.ShouldBe(RevertReasonKind.Custom);
        reason.Name.ShouldBe("Insufficient");
        reason.Arguments.ShouldBe(new object?[] { new BigInteger(9), new BigInteger(777) });

        var panic = await Should.ThrowAsync<JsonRpcServerException>(() => CallAsync(client, probe, abi, "failWithPanic", BigInteger.One));
        panic.TryDecodeRevert(null, out var panicReason).ShouldBeTrue();
        panicReason.PanicCode.ShouldBe(new BigInteger(0x11));
    }

    [Fact]
    public async Task SendAsync_RevertingCall_ThrowsAtEstimateAndKeepsNonce()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 0);
        var before = await client.GetTransactionCountAsync(key.Address, BlockParameter.Pending);

        var ex = await Should.ThrowAsync<TransactionRevertedException>(() =>
            sender.SendAsync(key, probe, abi.Function("failWithCustom").EncodeCall(new BigInteger(3)), BigInteger.Zero));
        ex.Receipt.ShouldBeNull();
        ex.TryDecodeRevert(abi.ErrorList(), out var reason).ShouldBeTrue();
        reason.Name.ShouldBe("Insufficient");
        (await client.GetTransactionCountAsync(key.Address, BlockParameter.Pending)).ShouldBe(before);

        // The nonce was not burnt: the next transaction gets it.
        var next = await sender.SendAsync(key, probe, abi.Function("increment").EncodeCall(), BigInteger.Zero);
        next.Succeeded.ShouldBeTrue();
        (await client.GetTransactionCountAsync(key.Address)).ShouldBe(before + 1);
    }

    [Fact]
    public async Task SubmitAsync_RevertsWhenMined_ReportsReceiptAndReason()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 10);

        // Gas given explicitly, so nothing estimates; the call reverts on chain (counter 11 > 10).
        var ex = await Should.ThrowAsync<TransactionRevertedException>(async () =>
        {
            var signed = await sender.SubmitAsync(key, probe, abi.Function("incrementUpTo").EncodeCall(new BigInteger(10)), BigInteger.Zero, gasLimit: 100_000);
            await sender.WaitForSuccessAsync(signed);
        });
        ex.Receipt.ShouldNotBeNull();
        ex.Receipt.Succeeded.ShouldBeFalse();
        ex.Reason.ShouldBe("counter above limit");
        (await CallAsync(client, probe, abi, "counter"))[0].ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task SendAsync_50ConcurrentFromOneAccount_AllMinedWithDistinctNonces()
    {
        var client = Client();
        var sender = Sender(client);
        using var key = await FundedAccountAsync();
        var (probe, abi, _) = await DeployProbeAsync(sender, key, 0);
        var startNonce = await client.GetTransactionCountAsync(key.Address);
        var call = abi.Function("increment").EncodeCall();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => sender.SendAsync(key, probe, call, BigInteger.Zero))));

        receipts.ShouldAllBe(r => r.Succeeded);
        receipts.Select(r => Hex.Encode(r.TransactionHash)).Distinct().Count().ShouldBe(50);
        (await client.GetTransactionCountAsync(key.Address)).ShouldBe(startNonce + 50);
        (await CallAsync(client, probe, abi, "counter"))[0].ShouldBe(new BigInteger(50));
        var responses = await client.BatchAsync(receipts.Select(r => JsonRpcRequest.Create("eth_getTransactionByHash", Hex.Encode(r.TransactionHash))).ToArray());
        var nonces = responses.Select(r => Quantity.ParseUInt64(r.GetResult().GetProperty("nonce").GetString())).Order().ToArray();
        nonces.ShouldBe(Enumerable.Range(0, 50).Select(i => startNonce + (ulong)i).ToArray());
    }

    [Fact]
    public async Task SendAsync_AfterNonceUsedOutsideManager_FailsOnceThenResyncs()
    {
        var client = Client();
        var nonces = new NonceManager(client);
        var sender = Sender(client, nonces);
        using var key = await FundedAccountAsync();
        using var other = PrivateKey.Generate();
        await sender.SendAsync(key, other.Address, ReadOnlyMemory<byte>.Empty, 1);

        // Someone else spends nonce 1 behind the manager's back.
        var block = await client.GetBlockByNumberAsync(BlockParameter.Latest);
        var outside = new Eip1559Transaction
        {
            ChainId = client.ChainId, Nonce = 1, GasLimit = 21_000, To = other.Address, Value = 2,
            MaxPriorityFeePerGas = 1, MaxFeePerGas = block!.BaseFeePerGas!.Value * 2 + 1,
        }.Sign(key);
        await client.SendRawTransactionAsync(outside.ToArray());

        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => sender.SendAsync(key, other.Address, ReadOnlyMemory<byte>.Empty, 3));
        ex.NodeMessage.ShouldContain("nonce", Case.Insensitive);
        nonces.PeekNext(key.Address).ShouldBe(2UL);

        var receipt = await sender.SendAsync(key, other.Address, ReadOnlyMemory<byte>.Empty, 4);
        receipt.Succeeded.ShouldBeTrue();
        (await client.GetBalanceAsync(other.Address)).ShouldBe(1 + 2 + 4);
    }

    [Fact]
    public async Task SubmitAsync_BeforeBroadcastThrows_NothingSentAndTheNonceIsReused()
    {
        var client = Client();
        var sender = Sender(client);
        using var funder = await FundedAccountAsync();
        using var fresh = PrivateKey.Generate();
        SignedTransaction? seen = null;

        await Should.ThrowAsync<TimeoutException>(() => sender.SubmitAsync(funder, fresh.Address, ReadOnlyMemory<byte>.Empty, Ether, gasLimit: null,
            (signed, _) =>
            {
                seen = signed;
                throw new TimeoutException("outbox down");
            }));

        seen.ShouldNotBeNull();
        seen.Transaction.Nonce.ShouldBe(0UL);
        (await client.IsTransactionKnownAsync(seen.Hash.ToArray())).ShouldBeFalse();
        (await client.GetBalanceAsync(fresh.Address)).ShouldBe(BigInteger.Zero);
        var next = await sender.SubmitAsync(funder, fresh.Address, ReadOnlyMemory<byte>.Empty, Ether);
        next.Transaction.Nonce.ShouldBe(0UL);
    }

    [Fact]
    public async Task RebroadcastAsync_StoredButNeverSent_SendsTheSameBytesOnce_ThenReportsHeldWithoutASecondEffect()
    {
        var client = Client();
        var sender = Sender(client);
        using var funder = await FundedAccountAsync();
        using var fresh = PrivateKey.Generate();
        var stored = await SignedButNeverSentAsync(sender, funder, fresh.Address);

        // A restarted process: a new nonce manager, the stored bytes re-sent before anything new is signed.
        var restarted = Sender(client);
        (await restarted.RebroadcastAsync(stored)).ShouldBeTrue();
        (await restarted.WaitForSuccessAsync(stored)).Succeeded.ShouldBeTrue();
        (await restarted.RebroadcastAsync(stored)).ShouldBeTrue();
        var next = await restarted.SubmitAsync(funder, fresh.Address, ReadOnlyMemory<byte>.Empty, Ether);

        next.Transaction.Nonce.ShouldBe(1UL);
        await restarted.WaitForSuccessAsync(next);
        (await client.GetBalanceAsync(fresh.Address)).ShouldBe(2 * Ether);
    }

    [Fact]
    public async Task RebroadcastAsync_NonceTakenByAnotherTransaction_ReportsNotHeld()
    {
        var client = Client();
        var sender = Sender(client);
        using var funder = await FundedAccountAsync();
        using var fresh = PrivateKey.Generate();
        var stored = await SignedButNeverSentAsync(sender, funder, fresh.Address);
        await sender.SendAsync(funder, fresh.Address, ReadOnlyMemory<byte>.Empty, 3 * Ether); // takes nonce 0

        (await Sender(client).RebroadcastAsync(stored)).ShouldBeFalse();
        (await client.GetBalanceAsync(fresh.Address)).ShouldBe(3 * Ether);
    }

    /// <summary>A transaction signed and handed to an outbox that then "crashed": the node never saw it.</summary>
    private static async Task<SignedTransaction> SignedButNeverSentAsync(TransactionSender sender, PrivateKey funder, Address to)
    {
        SignedTransaction? stored = null;
        await Should.ThrowAsync<TimeoutException>(() => sender.SubmitAsync(funder, to, ReadOnlyMemory<byte>.Empty, Ether, gasLimit: null,
            (signed, _) =>
            {
                stored = signed;
                throw new TimeoutException("crash after storing");
            }));
        return stored.ShouldNotBeNull();
    }

    [Fact]
    public async Task SendRawTransactionAsync_SameBytesTwice_ReturnsSameHashWithoutSecondEffect()
    {
        var client = Client();
        using var key = await FundedAccountAsync();
        using var other = PrivateKey.Generate();
        var block = await client.GetBlockByNumberAsync(BlockParameter.Latest);
        var signed = new Eip1559Transaction
        {
            ChainId = client.ChainId, Nonce = 0, GasLimit = 21_000, To = other.Address, Value = 5,
            MaxPriorityFeePerGas = 1, MaxFeePerGas = block!.BaseFeePerGas!.Value * 2 + 1,
        }.Sign(key);

        var first = await client.SendRawTransactionAsync(signed.ToArray());
        var second = await client.SendRawTransactionAsync(signed.ToArray());
        second.ShouldBe(first);
        first.ShouldBe(signed.Hash.ToArray());

        // Automine mines in the background: wait for the block before reading balances.
        await client.WaitForReceiptAsync(first, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        (await client.GetBalanceAsync(other.Address)).ShouldBe(5);
        (await client.GetTransactionCountAsync(key.Address)).ShouldBe(1UL);
    }

    [Fact]
    public async Task SendAsync_ClientForOtherChain_RefusesAndSendsNothing()
    {
        using var key = await FundedAccountAsync();
        var wrong = Client(chainId: 1);
        var ex = await Should.ThrowAsync<ChainIdMismatchException>(() => Sender(wrong).SendAsync(key, DevAccounts.Addresses[1], ReadOnlyMemory<byte>.Empty, 1));
        ex.ActualChainId.ShouldBe(Node.ChainId);
        (await Client().GetTransactionCountAsync(key.Address, BlockParameter.Pending)).ShouldBe(0UL);
    }

    [Fact]
    public async Task SendRawTransactionAsync_SignedForOtherChain_NodeRejects()
    {
        var client = Client();
        using var key = await FundedAccountAsync();
        var signed = new Eip1559Transaction
        {
            ChainId = 1, Nonce = 0, GasLimit = 21_000, To = DevAccounts.Addresses[1], Value = 1,
            MaxPriorityFeePerGas = 1, MaxFeePerGas = 100_000_000_000,
        }.Sign(key);
        await Should.ThrowAsync<JsonRpcServerException>(() => client.SendRawTransactionAsync(signed.ToArray()));
        (await client.GetTransactionCountAsync(key.Address, BlockParameter.Pending)).ShouldBe(0UL);
    }

    [Fact]
    public async Task WaitForReceiptAsync_MiningPaused_TimesOutOnInjectedClockThenSucceedsOnceMined()
    {
        var client = Client();
        using var key = await FundedAccountAsync();
        var signed = await Sender(client).SubmitAsync(key, DevAccounts.Addresses[2], ReadOnlyMemory<byte>.Empty, 1, gasLimit: 21_000);
        (await client.WaitForReceiptAsync(signed.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20))).Succeeded.ShouldBeTrue();

        await Node.SetAutomineAsync(false);
        try
        {
            var pending = await Sender(client).SubmitAsync(key, DevAccounts.Addresses[2], ReadOnlyMemory<byte>.Empty, 1, gasLimit: 21_000);
            var time = new TestClock();
            var wait = Client(time: time).WaitForReceiptAsync(pending.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));
            for (var i = 0; i < 6; i++)
            {
                await time.WaitForTimersAsync(1, TimeSpan.FromSeconds(5));
                time.Advance(TimeSpan.FromSeconds(5));
            }

            var timeout = await Should.ThrowAsync<TransactionReceiptTimeoutException>(() => wait);
            timeout.TransactionHash.ShouldBe(pending.Hash.ToArray());

            await Node.MineAsync();
            var receipt = await client.WaitForReceiptAsync(pending.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
            receipt.Succeeded.ShouldBeTrue();
        }
        finally
        {
            await Node.SetAutomineAsync(true);
        }
    }

    [Fact]
    public async Task SendRawTransactionAsync_LegacyAndAccessListTransactionsFromJson_MinedWithRecoveredSender()
    {
        var client = Client();
        using var key = await FundedAccountAsync();
        var block = await client.GetBlockByNumberAsync(BlockParameter.Latest);
        var price = Quantity.Format(block!.BaseFeePerGas!.Value * 2);
        var legacy = TransactionJson.Parse($$"""
            {"type":"0x0","chainId":"{{Node.ChainId}}","nonce":0,"to":"{{DevAccounts.Addresses[3]}}","value":"1000","gas":21000,"gasPrice":"{{price}}"}
            """).Sign(key);
        var withAccessList = TransactionJson.Parse($$"""
            {"type":2,"chainId":{{Node.ChainId}},"nonce":"0x1","to":"{{DevAccounts.Addresses[3]}}","value":"0x7d0","gas":"60000",
             "maxFeePerGas":"{{price}}","maxPriorityFeePerGas":"1",
             "accessList":[{"address":"{{DevAccounts.Addresses[4]}}","storageKeys":["0x{{new string('0', 63)}}1"]}]}
            """).Sign(key);

        foreach (var signed in new[] { legacy, withAccessList })
        {
            (await client.SendRawTransactionAsync(signed.ToArray())).ShouldBe(signed.Hash.ToArray());
            var receipt = await client.WaitForReceiptAsync(signed.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
            receipt.Succeeded.ShouldBeTrue();
            receipt.From.ShouldBe(key.Address);
            receipt.Type.ShouldBe(signed.Transaction.Type);
        }

        var node = await client.RequestAsync("eth_getTransactionByHash", [legacy.HashHex]);
        Quantity.Parse(node.GetProperty("v").GetString()).ShouldBe(legacy.V);
        (await client.GetTransactionCountAsync(key.Address)).ShouldBe(2UL);
    }
}
