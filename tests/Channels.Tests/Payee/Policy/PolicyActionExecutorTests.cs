using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Tests.Support;
using Settlement.Channels.Tests.Watchtower;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PolicyActionExecutorTests : IDisposable
{
    private const string NodeFault = "eth_blockNumber failed with error -32000: insufficient funds for gas";
    private readonly PrivateKey _payer = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryVoucherStore _store = new();
    private readonly ScriptedPayeeNode _node;
    private readonly PayeePolicyMetrics _metrics = new();
    private readonly CapturingLogger<PolicyActionExecutor> _logger = new();
    private readonly PolicyActionExecutor _executor;

    public PolicyActionExecutorTests()
    {
        _node = new ScriptedPayeeNode(_payee.Address);
        _executor = new PolicyActionExecutor(_node.Contract, _node, _logger, _metrics, _store, _clock);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _node.Dispose();
        _payer.Dispose();
        _payee.Dispose();
    }

    private PolicyChannel Channel(ulong nonce, BigInteger redeemed, BigInteger? newest, ulong closeDeadline = 0)
    {
        var parameters = new ChannelParameters(_payer.Address, _payee.Address, Address.Zero, 3600, nonce);
        var key = new ChannelKey(ScriptedPayeeNode.ChainId, ScriptedPayeeNode.ContractAddress, parameters.Id);
        var view = new PayeeChannelView(key, parameters, 10_000, redeemed, 0, 0, closeDeadline, false);
        StoredVoucher? voucher = null;
        if (newest is { } amount)
        {
            var signature = ChannelTypedData.ForContract(ScriptedPayeeNode.ChainId, ScriptedPayeeNode.ContractAddress)
                .SignVoucher(_payer, parameters.Id.Bytes, amount);
            voucher = new StoredVoucher(key, _payer.Address, amount, signature.ToRsv(), _clock.GetUtcNow());
        }

        return new PolicyChannel(view, voucher);
    }

    // redeem(Channel c, uint256 cumulativeAmount, Signature sig): the static tuple c takes five words, the amount is the sixth.
    private static BigInteger AmountArgument(byte[] call) => new(call.AsSpan(4 + (5 * 32), 32), isUnsigned: true, isBigEndian: true);

    private static byte[] Word(Address address) => [.. new byte[12], .. address.Bytes];

    private static LogEntry Log<TEvent>(byte[][] indexed, params object[] data)
        where TEvent : class, new()
    {
        var abi = ABITypedRegistry.GetEvent<TEvent>();
        return new LogEntry
        {
            Address = ScriptedPayeeNode.ContractAddress,
            Topics = [abi.Sha3Signature.HexToByteArray(), .. indexed],
            Data = new ParametersEncoder().EncodeParameters(abi.InputParameters.Where(p => !p.Indexed).ToArray(), data),
            BlockNumber = 7,
            LogIndex = 0,
        };
    }

    // BatchRedeemed(payee, token, challengePeriod, items): one 37-byte item (payer | 40-bit nonce | 96-bit amount) per channel paid.
    private LogEntry BatchRedeemed(params PolicyChannel[] paid)
    {
        var packed = new List<byte>();
        foreach (var channel in paid)
        {
            packed.AddRange(_payer.Address.Bytes.ToArray());
            packed.AddRange(new byte[] { 0, 0, 0, 0, (byte)channel.View.Parameters.Nonce });
            var amount = channel.Newest!.Cumulative.ToByteArray(isUnsigned: true, isBigEndian: true);
            packed.AddRange([.. new byte[12 - amount.Length], .. amount]);
        }

        return Log<BatchRedeemedEventDto>([Word(_payee.Address), Word(Address.Zero)], (BigInteger)3_600, packed.ToArray());
    }

    private LogEntry Settled(PolicyChannel channel, BigInteger toPayer, BigInteger toPayee) =>
        Log<ChannelSettledEventDto>(
            [channel.View.Key.ChannelId.Bytes.ToArray(), Word(_payer.Address), Word(_payee.Address)],
            Address.Zero.ToString(),
            false,
            toPayer,
            toPayee);

    // ------------------------------------------------------------------ redeem

    [Fact]
    public async Task ExecuteOne_RedeemMined_DoneWithTheNewestAmountHashAndGas()
    {
        var channel = Channel(1, 200, 700);
        _node.Mine("redeem", 51_234);

        var result = await _executor.ExecuteOneAsync(new RedeemAction(channel, PolicyReason.Dispute));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("redeemed 700");
        result.GasUsed.ShouldBe(51_234UL);
        result.TransactionHashes.ShouldHaveSingleItem().ShouldBe(Enumerable.Repeat((byte)1, 32).ToArray());
        var sent = _node.Sent.ShouldHaveSingleItem();
        sent.Function.ShouldBe("redeem");
        AmountArgument(sent.Data).ShouldBe(new BigInteger(700));
    }

    [Theory]
    [InlineData("VoucherNotNewer", PolicyOutcome.AlreadyDone)]
    [InlineData("ChannelNotFound", PolicyOutcome.AlreadyDone)]
    [InlineData("ChallengePeriodActive", PolicyOutcome.Failed)]
    [InlineData("ChannelClosingAlready", PolicyOutcome.Failed)]
    public async Task ExecuteOne_RedeemReverted_OutcomeByErrorNameNothingMined(string error, PolicyOutcome expected)
    {
        _node.Revert("redeem", error);

        var result = await _executor.ExecuteOneAsync(new RedeemAction(Channel(1, 200, 700), PolicyReason.Closing));

        result.Outcome.ShouldBe(expected);
        result.Detail.ShouldBe(error);
        result.TransactionHashes.ShouldBeEmpty();
        result.GasUsed.ShouldBe(0UL);
    }

    [Fact]
    public async Task ExecuteOne_NodeFault_FailedWithTheNodeMessageAndAWarning()
    {
        _node.Fault("redeem", "insufficient funds for gas");
        var action = new RedeemAction(Channel(1, 200, 700), PolicyReason.Closing);

        var results = await _executor.ExecuteAsync([action]);

        var result = results.ShouldHaveSingleItem();
        result.Outcome.ShouldBe(PolicyOutcome.Failed);
        result.Detail.ShouldBe(NodeFault);
        result.TransactionHashes.ShouldBeEmpty();
        result.GasUsed.ShouldBe(0UL);
        var warning = _logger.Entries.Single(e => e.Level == LogLevel.Warning);
        warning.EventId.Id.ShouldBe(2302);
        warning.Message.ShouldBe("Policy redeem failed at the chain node; the next run re-plans from chain state");
        warning.Exception.ShouldBeOfType<JsonRpcServerException>().ErrorCode.ShouldBe(-32000);
    }

    [Fact]
    public async Task ExecuteOne_RedeemWithoutStoredVoucher_Throws()
    {
        var channel = Channel(1, 200, null);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => _executor.ExecuteOneAsync(new RedeemAction(channel, PolicyReason.Closing)));

        ex.Message.ShouldBe($"Channel {channel.View.Key} holds no voucher to redeem.");
        _node.Sent.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ redeemBatch

    [Fact]
    public async Task ExecuteOne_BatchMined_CountsTheRedeemedItemsOfTheReceipt()
    {
        var a = Channel(1, 0, 300);
        var b = Channel(2, 0, 400);
        var c = Channel(3, 0, 500);
        var batch = new BatchRedeemAction([new(a, PolicyReason.Requested), new(b, PolicyReason.Requested), new(c, PolicyReason.Requested)], 99_000);
        _node.Mine("redeemBatch", 80_000, BatchRedeemed(a, c));

        var result = await _executor.ExecuteOneAsync(batch);

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("redeemed 2 of 3");
        result.GasUsed.ShouldBe(80_000UL);
        result.TransactionHashes.Count.ShouldBe(1);
        var sent = _node.Sent.ShouldHaveSingleItem();
        sent.Function.ShouldBe("redeemBatch");
        var expected = ChannelContract.EncodeBatch([.. new[] { a, b, c }.Select(x => (x.View.Parameters, PolicyActionExecutor.ToSigned(x.Newest!)))]);
        sent.Data.AsSpan().IndexOf(expected).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task ExecuteOne_BatchRevertedVoucherNotNewer_RedeemsOneByOne()
    {
        var a = Channel(1, 0, 300);
        var b = Channel(2, 0, 400);
        _node.Revert("redeemBatch", "VoucherNotNewer").Mine("redeem", 40_000).Revert("redeem", "VoucherNotNewer");

        var result = await _executor.ExecuteOneAsync(new BatchRedeemAction([new(a, PolicyReason.Requested), new(b, PolicyReason.Closing)], 1));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("batch reverted VoucherNotNewer; one by one: 1 redeemed, 1 already redeemed, of 2");
        result.GasUsed.ShouldBe(40_000UL);
        result.TransactionHashes.ShouldHaveSingleItem().ShouldBe(Enumerable.Repeat((byte)2, 32).ToArray());
        _node.Sent.Select(s => s.Function).ShouldBe(["redeemBatch", "redeem", "redeem"]);
        AmountArgument(_node.Sent[1].Data).ShouldBe(new BigInteger(300));
        AmountArgument(_node.Sent[2].Data).ShouldBe(new BigInteger(400));
    }

    [Fact]
    public async Task ExecuteOne_BatchRevertedAndEveryItemAlreadyRedeemed_AlreadyDone()
    {
        _node.Revert("redeemBatch", "VoucherNotNewer").Revert("redeem", "VoucherNotNewer").Revert("redeem", "ChannelNotFound");

        var result = await _executor.ExecuteOneAsync(
            new BatchRedeemAction([new(Channel(1, 0, 300), PolicyReason.Requested), new(Channel(2, 0, 400), PolicyReason.Requested)], 1));

        result.Outcome.ShouldBe(PolicyOutcome.AlreadyDone);
        result.Detail.ShouldBe("batch reverted VoucherNotNewer; one by one: 0 redeemed, 2 already redeemed, of 2");
        result.TransactionHashes.ShouldBeEmpty();
        result.GasUsed.ShouldBe(0UL);
    }

    [Fact]
    public async Task ExecuteOne_BatchRevertedAndOneItemFails_FailedWithTheOthersRedeemed()
    {
        _node.Revert("redeemBatch", "VoucherNotNewer").Mine("redeem", 40_000).Fault("redeem", "insufficient funds for gas").Mine("redeem", 41_000);

        var result = await _executor.ExecuteOneAsync(new BatchRedeemAction(
            [new(Channel(1, 0, 300), PolicyReason.Requested), new(Channel(2, 0, 400), PolicyReason.Requested), new(Channel(3, 0, 500), PolicyReason.Requested)], 1));

        result.Outcome.ShouldBe(PolicyOutcome.Failed);
        result.Detail.ShouldBe("batch reverted VoucherNotNewer; one by one: 2 redeemed, 0 already redeemed, of 3");
        result.GasUsed.ShouldBe(81_000UL);
        result.TransactionHashes.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("InvalidSigner")]
    [InlineData("ChannelNotFound")]
    public async Task ExecuteOne_BatchRevertedOtherwise_FailedWithoutRetryingOneByOne(string error)
    {
        _node.Revert("redeemBatch", error);

        var result = await _executor.ExecuteOneAsync(new BatchRedeemAction([new(Channel(1, 0, 300), PolicyReason.Requested)], 1));

        result.Outcome.ShouldBe(PolicyOutcome.Failed);
        result.Detail.ShouldBe(error);
        _node.Sent.ShouldHaveSingleItem();
    }

    // ------------------------------------------------------------------ close idle

    [Fact]
    public async Task ExecuteOne_CloseIdleWithUnredeemed_ClosesWithTheVoucher()
    {
        _node.Mine("startCloseWithVoucher", 60_000);

        var result = await _executor.ExecuteOneAsync(new CloseIdleAction(Channel(1, 200, 700)));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("closing with 700 redeemed");
        result.GasUsed.ShouldBe(60_000UL);
        var sent = _node.Sent.ShouldHaveSingleItem();
        sent.Function.ShouldBe("startCloseWithVoucher");
        AmountArgument(sent.Data).ShouldBe(new BigInteger(700));
    }

    [Theory]
    [InlineData(null)] // no voucher
    [InlineData(200)] // the voucher was redeemed already
    public async Task ExecuteOne_CloseIdleWithNothingUnredeemed_PlainStartClose(int? newest)
    {
        _node.Mine("startClose", 30_000);

        var result = await _executor.ExecuteOneAsync(new CloseIdleAction(Channel(1, 200, newest)));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("closing");
        _node.Sent.Select(s => s.Function).ShouldBe(["startClose"]);
    }

    [Fact]
    public async Task ExecuteOne_CloseIdleVoucherRedeemedFirst_FallsBackToStartClose()
    {
        _node.Revert("startCloseWithVoucher", "VoucherNotNewer").Mine("startClose", 30_000);

        var result = await _executor.ExecuteOneAsync(new CloseIdleAction(Channel(1, 200, 700)));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("closing");
        result.GasUsed.ShouldBe(30_000UL);
        _node.Sent.Select(s => s.Function).ShouldBe(["startCloseWithVoucher", "startClose"]);
    }

    [Theory]
    [InlineData("ChannelClosingAlready", PolicyOutcome.AlreadyDone)]
    [InlineData("ChannelNotFound", PolicyOutcome.AlreadyDone)]
    [InlineData("InvalidSigner", PolicyOutcome.Failed)]
    public async Task ExecuteOne_CloseIdleWithVoucherReverted_NoPlainCloseAfter(string error, PolicyOutcome expected)
    {
        _node.Revert("startCloseWithVoucher", error);

        var result = await _executor.ExecuteOneAsync(new CloseIdleAction(Channel(1, 200, 700)));

        result.Outcome.ShouldBe(expected);
        result.Detail.ShouldBe(error);
        _node.Sent.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("ChannelClosingAlready", PolicyOutcome.AlreadyDone)]
    [InlineData("ChannelNotFound", PolicyOutcome.AlreadyDone)]
    [InlineData("ChallengePeriodActive", PolicyOutcome.Failed)]
    public async Task ExecuteOne_StartCloseReverted_OutcomeByErrorName(string error, PolicyOutcome expected)
    {
        _node.Revert("startClose", error);

        var result = await _executor.ExecuteOneAsync(new CloseIdleAction(Channel(1, 200, 200)));

        result.Outcome.ShouldBe(expected);
        result.Detail.ShouldBe(error);
    }

    // ------------------------------------------------------------------ settle

    [Fact]
    public async Task ExecuteOne_SettleMined_DescribesThePayoutOfTheSettledEvent()
    {
        var channel = Channel(1, 200, 700, closeDeadline: 1_800_000_000);
        _node.Mine("settle", 45_000, Settled(channel, 9_300, 700));

        var result = await _executor.ExecuteOneAsync(new SettleAction(channel));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("settled: 700 to the payee, 9300 to the payer");
        result.GasUsed.ShouldBe(45_000UL);
        _node.Sent.ShouldHaveSingleItem().Function.ShouldBe("settle");
    }

    [Fact]
    public async Task ExecuteOne_SettleMinedWithoutEvent_Settled()
    {
        _node.Mine("settle", 45_000);

        var result = await _executor.ExecuteOneAsync(new SettleAction(Channel(1, 200, 700, closeDeadline: 1)));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("settled");
    }

    [Theory]
    [InlineData("ChallengePeriodActive", PolicyOutcome.NotYet)]
    [InlineData("ChannelNotFound", PolicyOutcome.AlreadyDone)]
    [InlineData("VoucherNotNewer", PolicyOutcome.Failed)]
    public async Task ExecuteOne_SettleReverted_OutcomeByErrorName(string error, PolicyOutcome expected)
    {
        _node.Revert("settle", error);

        var result = await _executor.ExecuteOneAsync(new SettleAction(Channel(1, 200, 700, closeDeadline: 1)));

        result.Outcome.ShouldBe(expected);
        result.Detail.ShouldBe(error);
        result.TransactionHashes.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ request close

    [Fact]
    public async Task ExecuteOne_RequestClose_StoresTheRequestAtTheClockNoTransaction()
    {
        var channel = Channel(1, 200, 700);

        var result = await _executor.ExecuteOneAsync(new RequestCloseAction(channel));

        result.Outcome.ShouldBe(PolicyOutcome.Done);
        result.Detail.ShouldBe("cooperative close requested at 2026-12-02T12:00:00.0000000+00:00");
        result.TransactionHashes.ShouldBeEmpty();
        result.GasUsed.ShouldBe(0UL);
        (await _store.ListCloseRequestsAsync()).ShouldBe([new CloseRequest(channel.View.Key, _clock.GetUtcNow())]);
        _node.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteOne_RequestCloseWithoutStore_FailedNothingStored()
    {
        var executor = new PolicyActionExecutor(_node.Contract, _node, time: _clock);

        var result = await executor.ExecuteOneAsync(new RequestCloseAction(Channel(1, 200, 700)));

        result.Outcome.ShouldBe(PolicyOutcome.Failed);
        result.Detail.ShouldBe("no store for close requests");
        result.TransactionHashes.ShouldBeEmpty();
        (await _store.ListCloseRequestsAsync()).ShouldBeEmpty();
        _node.Sent.ShouldBeEmpty();
    }

    // ------------------------------------------------------------------ the run

    [Fact]
    public async Task Execute_AFailedActionDoesNotStopTheRest_ResultsInOrderLoggedAndCounted()
    {
        using var recorder = new MeterRecorder<PayeePolicyMetrics>(f => new PayeePolicyMetrics(f));
        var executor = new PolicyActionExecutor(_node.Contract, _node, _logger, recorder.Metrics, _store, _clock);
        var first = Channel(1, 200, 700);
        var second = Channel(2, 0, 300, closeDeadline: 5);
        _node.Revert("redeem", "InvalidSigner").Mine("settle", 45_000);

        var results = await executor.ExecuteAsync([new RedeemAction(first, PolicyReason.Dispute), new SettleAction(second), new RequestCloseAction(first)]);

        results.Select(r => r.Outcome).ShouldBe([PolicyOutcome.Failed, PolicyOutcome.Done, PolicyOutcome.Done]);
        _logger.Entries.Where(e => e.EventId.Id == 2301).Select(e => e.Message).ShouldBe(
        [
            $"Policy redeem of 1 channel(s) from {first.View.Key.ChannelId}: Failed (InvalidSigner)",
            $"Policy settle of 1 channel(s) from {second.View.Key.ChannelId}: Done (settled)",
            $"Policy requestClose of 1 channel(s) from {first.View.Key.ChannelId}: Done (cooperative close requested at 2026-12-02T12:00:00.0000000+00:00)",
        ]);
        recorder.Total("payee.policy.actions/kind=redeem/outcome=Failed").ShouldBe(1);
        recorder.Total("payee.policy.actions/kind=settle/outcome=Done").ShouldBe(1);
        recorder.Total("payee.policy.actions/kind=requestClose/outcome=Done").ShouldBe(1);
        recorder.Total("payee.policy.gas").ShouldBe(45_000);
    }

    [Fact]
    public async Task Execute_Cancelled_ThrowsBeforeSending()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _executor.ExecuteAsync([new SettleAction(Channel(1, 0, 1, 5))], cts.Token));

        _node.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_CancelledBetweenActions_TheFirstDoneTheRestNotSent()
    {
        using var cts = new CancellationTokenSource();
        _node.Mine("settle", 45_000);
        _node.OnSend = _ => cts.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => _executor.ExecuteAsync(
            [new SettleAction(Channel(1, 0, 1, 5)), new SettleAction(Channel(2, 0, 1, 5))], cts.Token));

        _node.Sent.ShouldHaveSingleItem();
        _logger.Entries.ShouldHaveSingleItem().EventId.Id.ShouldBe(2301);
    }

    [Fact]
    public async Task Execute_Batch_LoggedWithItsSizeAndFirstChannel()
    {
        var a = Channel(1, 0, 300);
        var b = Channel(2, 0, 400);
        _node.Mine("redeemBatch", 60_000, BatchRedeemed(a, b));

        await _executor.ExecuteAsync([new BatchRedeemAction([new(a, PolicyReason.Requested), new(b, PolicyReason.Requested)], 1)]);

        _logger.Entries.ShouldHaveSingleItem().Message.ShouldBe($"Policy redeemBatch of 2 channel(s) from {a.View.Key.ChannelId}: Done (redeemed 2 of 2)");
    }

    [Fact]
    public async Task Arguments_NullsAndUnknownActions_Refused()
    {
        Should.Throw<ArgumentNullException>(() => new PolicyActionExecutor(null!, _node)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new PolicyActionExecutor(_node.Contract, null!)).ParamName.ShouldBe("payee");
        (await Should.ThrowAsync<ArgumentNullException>(() => _executor.ExecuteAsync(null!))).ParamName.ShouldBe("actions");
        Should.Throw<ArgumentNullException>(() => _executor.ExecuteOneAsync(null!)).ParamName.ShouldBe("action");
        var unknown = Should.Throw<ArgumentException>(() => _executor.ExecuteOneAsync(new OtherAction(Channel(1, 0, 1))));
        unknown.ParamName.ShouldBe("action");
        unknown.Message.ShouldStartWith("Unknown policy action OtherAction.");
        Should.Throw<ArgumentNullException>(() => PolicyActionExecutor.ToSigned((StoredVoucher)null!));
        _executor.Payee.ShouldBe(_payee.Address);
    }

    [Fact]
    public void ToSigned_StoredVoucher_TheContractsVoucherWithTheStoredSignature()
    {
        var channel = Channel(4, 0, 1234);

        var signed = PolicyActionExecutor.ToSigned(channel.Newest!);

        signed.Voucher.ShouldBe(new Voucher(channel.View.Key.ChannelId, 1234));
        signed.Signature.ToRsv().ShouldBe(channel.Newest!.Signature);
    }

    private sealed record OtherAction(PolicyChannel Channel) : PolicyAction
    {
        public override IReadOnlyList<PolicyChannel> Channels => [Channel];
    }
}
