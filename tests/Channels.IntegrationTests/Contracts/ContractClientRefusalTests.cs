using System.Numerics;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Testing;
using Settlement.Testing.Abi;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// Every refusal <see cref="ChannelContract"/> reports, on a real Anvil: the contract's custom errors decoded from the
/// revert (<see cref="ChannelContractRevertException.ErrorName"/> and the function), and the client's own checks
/// before sending (<see cref="ChannelContract.EncodeBatch"/>). After each refusal the chain is read again: every
/// involved channel's <c>channelState</c>, the token balances of the four parties and of the contract, the contract's
/// ETH balance, the parties' deferred payouts and the contract's event count are exactly as before.
/// </summary>
public sealed class ContractClientRefusalTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    private static readonly BigInteger MaxAmount = (BigInteger.One << 96) - 1;

    [Fact]
    public async Task Open_InvalidArguments_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var (payer, payee, token) = (w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, MaxAmount + 1);

        await RefusedAsync(w, "open", "InvalidParticipants", () => w.Channels.OpenAsync(w.Payer, payer, payer, token, ChannelWorld.Period, 1_000));
        await RefusedAsync(w, "open", "InvalidParticipants", () => w.Channels.OpenAsync(w.Payer, Address.Zero, payee, token, ChannelWorld.Period, 1_000));
        await RefusedAsync(w, "open", "InvalidParticipants", () => w.Channels.OpenAsync(w.Payer, payer, Address.Zero, token, ChannelWorld.Period, 1_000));
        await RefusedAsync(w, "open", "InvalidChallengePeriod", () => w.Channels.OpenAsync(w.Payer, payer, payee, token, 3_599, 1_000));
        await RefusedAsync(w, "open", "InvalidChallengePeriod", () => w.Channels.OpenAsync(w.Payer, payer, payee, token, (30 * 86_400) + 1, 1_000));
        await RefusedAsync(w, "open", "AmountTooLarge", () => w.Channels.OpenAsync(w.Payer, payer, payee, token, ChannelWorld.Period, MaxAmount + 1));
        // ETH sent with a token channel, and an ETH channel whose value is not its amount.
        await RefusedAsync(w, "open", "WrongEthValue", () => w.Channels.SendAsync(
            w.Payer, Open(payer, payee, token, 1_000), 1_000, CancellationToken.None));
        await RefusedAsync(w, "open", "WrongEthValue", () => w.Channels.SendAsync(
            w.Payer, Open(payer, payee, Address.Zero, 1_000), 999, CancellationToken.None));
    }

    [Fact]
    public async Task TopUp_UnknownClosingOrWrongValue_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var open = await w.OpenAsync(100_000);
        var closing = await w.OpenAsync(200_000);
        await w.Channels.StartCloseAsync(w.Payee, closing);
        var unknown = open with { Nonce = open.Nonce + 1_000 };
        foreach (var t in new[] { w.Payer, w.Payee })
        {
            await w.Token.ApproveAsync(t, w.Channels.Address, 1_000_000);
        }

        ChannelParameters[] channels = [open, closing, unknown];
        await RefusedAsync(w, "topUp", "ChannelNotFound", () => w.Channels.TopUpAsync(w.Payer, unknown, 5_000), channels);
        await RefusedAsync(w, "topUpPayee", "ChannelNotFound", () => w.Channels.TopUpPayeeAsync(w.Payee, unknown, 5_000), channels);
        await RefusedAsync(w, "topUp", "ChannelClosingAlready", () => w.Channels.TopUpAsync(w.Payer, closing, 5_000), channels);
        await RefusedAsync(w, "topUpPayee", "ChannelClosingAlready", () => w.Channels.TopUpPayeeAsync(w.Payee, closing, 5_000), channels);
        await RefusedAsync(w, "topUp", "WrongEthValue", () => w.Channels.SendAsync(
            w.Payer, new TopUpFunction { C = ChannelContract.Tuple(open), Amount = 5_000 }, 5_000, CancellationToken.None), channels);
    }

    [Fact]
    public async Task Redeem_EveryRefusal_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var c = await w.OpenAsync(100_000);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 40_000));
        var unknown = c with { Nonce = c.Nonce + 1_000 };
        var expiring = await w.OpenAsync(50_000);
        ChannelParameters[] channels = [c, unknown, expiring];

        await RefusedAsync(w, "redeem", "ChannelNotFound", () => w.Channels.RedeemAsync(w.Payee, unknown, w.Channels.SignVoucher(w.PayerKey, unknown.Id, 1_000)), channels);
        await RefusedAsync(w, "redeem", "VoucherNotNewer", () => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 40_000)), channels);
        await RefusedAsync(w, "redeem", "VoucherNotNewer", () => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 39_999)), channels);
        await RefusedAsync(w, "redeem", "AmountExceedsDeposit", () => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100_001)), channels);
        await RefusedAsync(w, "redeem", "InvalidSigner", () => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.OtherKey, c.Id, 50_000)), channels);
        // The payee side has no deposit: a payee -> payer voucher exceeds it.
        await RefusedAsync(w, "redeem", "AmountExceedsDeposit", () => w.Channels.RedeemAsync(w.Payer, c, w.Channels.SignVoucher(w.PayeeKey, c.Id, 1)), channels);
        await RefusedAsync(w, "startCloseWithVoucher", "VoucherNotNewer", () => w.Channels.StartCloseWithVoucherAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 40_000)), channels);
        await RefusedAsync(w, "startCloseWithVoucher", "InvalidSigner", () => w.Channels.StartCloseWithVoucherAsync(w.Payee, c, w.Channels.SignVoucher(w.OtherKey, c.Id, 60_000)), channels);

        await w.Channels.StartCloseAsync(w.Payer, expiring);
        await w.PassChallengePeriodAsync();
        await RefusedAsync(w, "redeem", "ChallengePeriodOver", () => w.Channels.RedeemAsync(w.Payee, expiring, w.Channels.SignVoucher(w.PayerKey, expiring.Id, 10_000)), channels);
    }

    [Fact]
    public async Task RedeemBatch_ContractRefusals_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var a = await w.OpenAsync(100_000);
        var b = await w.OpenAsync(200_000);
        ChannelParameters[] channels = [a, b];
        var goodA = w.Channels.SignVoucher(w.PayerKey, a.Id, 10_000);

        await RefusedAsync(w, "redeemBatch", "InvalidSigner", () => w.Channels.RedeemBatchAsync(
            w.Payee, w.Token.Address, [(a, goodA), (b, w.Channels.SignVoucher(w.OtherKey, b.Id, 20_000))]), channels);
        await RefusedAsync(w, "redeemBatch", "AmountExceedsDeposit", () => w.Channels.RedeemBatchAsync(
            w.Payee, w.Token.Address, [(a, goodA), (b, w.Channels.SignVoucher(w.PayerKey, b.Id, 200_001))]), channels);
        // A voucher of `a` presented as `b`'s: it signs the other channel id.
        await RefusedAsync(w, "redeemBatch", "InvalidSigner", () => w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, [(b, goodA)]), channels);
        var packed = ChannelContract.EncodeBatch([(a, goodA)]);
        await RefusedAsync(w, "redeemBatch", "MalformedBatch", () => w.Channels.SendAsync(
            w.Payee, new RedeemBatchFunction { Token = w.Token.Address.ToString(), Batch = packed[..^1] }, BigInteger.Zero, CancellationToken.None), channels);
        await RefusedAsync(w, "redeemBatch", "MalformedBatch", () => w.Channels.SendAsync(
            w.Payee, new RedeemBatchFunction { Token = w.Token.Address.ToString(), Batch = packed[..ChannelContract.BatchHeaderSize] }, BigInteger.Zero, CancellationToken.None), channels);
    }

    [Fact]
    public async Task RedeemBatch_ClientChecks_RefusedBeforeSendingAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var a = await w.OpenAsync(100_000);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 1_000);
        var otherPeriod = (await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period + 1, 1_000)).Channel;
        var farNonce = a with { Nonce = ChannelContract.MaxBatchNonce + 1 };
        var voucher = w.Channels.SignVoucher(w.PayerKey, a.Id, 1_000);
        ChannelParameters[] channels = [a, otherPeriod];

        async Task NotSent(IReadOnlyList<(ChannelParameters, SignedVoucher)> items, string message)
        {
            var before = await SnapshotAsync(w, channels);
            var nonce = await w.Rpc.GetTransactionCountAsync(w.PayeeKey.Address, BlockParameter.Pending);
            var ex = await Should.ThrowAsync<ArgumentException>(() => w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items));
            ex.Message.ShouldStartWith(message);
            ex.ParamName.ShouldBe("vouchers");
            (await w.Rpc.GetTransactionCountAsync(w.PayeeKey.Address, BlockParameter.Pending)).ShouldBe(nonce, "nothing was sent");
            (await SnapshotAsync(w, channels)).ShouldBe(before);
        }

        await NotSent([], "A batch needs at least one voucher.");
        await NotSent([(a, voucher), (otherPeriod, w.Channels.SignVoucher(w.PayerKey, otherPeriod.Id, 1))], "The channels of a batch must share one challenge period.");
        await NotSent([(farNonce, w.Channels.SignVoucher(w.PayerKey, farNonce.Id, 1))], "A batch nonce must fit in 40 bits.");
        await NotSent([(a, w.Channels.SignVoucher(w.PayerKey, a.Id, MaxAmount + 1))], "A batch amount must fit in 96 bits.");
    }

    [Fact]
    public async Task StartCloseAndSettle_EveryRefusal_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var open = await w.OpenAsync(100_000);
        var closing = await w.OpenAsync(200_000);
        await w.Channels.StartCloseAsync(w.Payee, closing);
        var unknown = open with { Nonce = open.Nonce + 1_000 };
        ChannelParameters[] channels = [open, closing, unknown];

        await RefusedAsync(w, "startClose", "NotParticipant", () => w.Channels.StartCloseAsync(w.Other, open), channels);
        await RefusedAsync(w, "startClose", "NotParticipant", () => w.Channels.StartCloseAsync(w.Platform, open), channels);
        await RefusedAsync(w, "startClose", "ChannelNotFound", () => w.Channels.StartCloseAsync(w.Payer, unknown), channels);
        await RefusedAsync(w, "startClose", "ChannelClosingAlready", () => w.Channels.StartCloseAsync(w.Payer, closing), channels);
        await RefusedAsync(w, "startClose", "ChannelClosingAlready", () => w.Channels.StartCloseAsync(w.Payee, closing), channels);
        await RefusedAsync(w, "settle", "ChannelNotClosing", () => w.Channels.SettleAsync(w.Other, open), channels);
        await RefusedAsync(w, "settle", "ChallengePeriodActive", () => w.Channels.SettleAsync(w.Other, closing), channels);
        await RefusedAsync(w, "settle", "ChannelNotFound", () => w.Channels.SettleAsync(w.Other, unknown), channels);

    }

    [Fact]
    public async Task CooperativeClose_EveryRefusal_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var c = await w.OpenAsync(100_000);
        await w.Token.ApproveAsync(w.Payee, w.Channels.Address, 30_000);
        await w.Channels.TopUpPayeeAsync(w.Payee, c, 30_000);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 25_000));
        var unknown = c with { Nonce = c.Nonce + 1_000 };
        ChannelParameters[] channels = [c, unknown];
        var deadline = await w.CloseDeadlineAsync();
        var domain = w.Channels.Domain;

        Task Close(CooperativeCloseState s, PrivateKey? payerKey, PrivateKey? payeeKey, ChannelParameters? channel = null) =>
            w.Channels.CooperativeCloseAsync(w.Other, channel ?? c, s, payerKey is null ? null : s.Sign(payerKey, domain), payeeKey is null ? null : s.Sign(payeeKey, domain));

        var good = new CooperativeCloseState(c.Id, 60_000, 5_000, deadline);
        // A third party sending it needs both signatures; a missing one (all zero) is no signature at all.
        await RefusedAsync(w, "cooperativeClose", "ECDSAInvalidSignature", () => Close(good, null, w.PayeeKey), channels);
        await RefusedAsync(w, "cooperativeClose", "ECDSAInvalidSignature", () => Close(good, w.PayerKey, null), channels);
        await RefusedAsync(w, "cooperativeClose", "InvalidSigner", () => Close(good, w.OtherKey, w.PayeeKey), channels);
        await RefusedAsync(w, "cooperativeClose", "InvalidSigner", () => w.Channels.CooperativeCloseAsync(
            w.Other, c, good, new CooperativeCloseState(c.Id, 60_001, 5_000, deadline).Sign(w.PayerKey, domain), good.Sign(w.PayeeKey, domain)), channels);
        await RefusedAsync(w, "cooperativeClose", "InvalidFinalState", () => Close(new(c.Id, 100_001, 5_000, deadline), w.PayerKey, w.PayeeKey), channels);
        await RefusedAsync(w, "cooperativeClose", "InvalidFinalState", () => Close(new(c.Id, 24_999, 5_000, deadline), w.PayerKey, w.PayeeKey), channels);
        await RefusedAsync(w, "cooperativeClose", "InvalidFinalState", () => Close(new(c.Id, 60_000, 30_001, deadline), w.PayerKey, w.PayeeKey), channels);
        // A second before the newest block: expired for any next block (Anvil may give the next block the same timestamp).
        var lapsed = await w.LatestTimestampAsync() - 1;
        await RefusedAsync(w, "cooperativeClose", "CloseAgreementExpired", () => Close(new(c.Id, 60_000, 5_000, lapsed), w.PayerKey, w.PayeeKey), channels);
        await RefusedAsync(w, "cooperativeClose", "ChannelNotFound", () => Close(new(unknown.Id, 0, 0, deadline), w.PayerKey, w.PayeeKey, unknown), channels);
    }

    [Fact]
    public async Task WithdrawOwed_NothingOwedOrPushFails_RefusedWithReasonAndNothingChanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        await RefusedAsync(w, "withdrawOwed", "NothingOwed", () => w.Channels.WithdrawOwedAsync(w.Payee, w.Token.Address, w.PayeeKey.Address));
        await RefusedAsync(w, "withdrawOwed", "NothingOwed", () => w.Channels.WithdrawOwedAsync(w.Payee, Address.Zero, w.PayeeKey.Address));

        // A payee that refuses ETH is owed its redemption; withdrawing it to itself fails the push.
        var receiver = await TestArtifacts.DeployAsync(w.Platform, TestArtifacts.RevertingReceiver, []);
        var eth = (await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, receiver, Address.Zero, ChannelWorld.Period, 900_000)).Channel;
        await w.Channels.RedeemAsync(w.Other, eth, w.Channels.SignVoucher(w.PayerKey, eth.Id, 250_000));
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(new BigInteger(250_000));
        var execute = TestFunction.Parse("function execute(address target, bytes data) payable returns (bytes)");
        var withdraw = new WithdrawOwedFunction { Token = Address.Zero.ToString(), To = receiver.ToString() }.GetCallData();
        var before = await SnapshotAsync(w, [eth], receiver);
        var ex = await Should.ThrowAsync<TransactionRevertedException>(() => w.Platform.SendAsync(receiver, execute.EncodeCall(w.Channels.Address, withdraw), 0));
        ex.TryDecodeRevert(ChannelContract.Errors, out var reason).ShouldBeTrue();
        reason.Name.ShouldBe("EthTransferFailed");
        (await SnapshotAsync(w, [eth], receiver)).ShouldBe(before);
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(new BigInteger(250_000));
    }

    [Fact]
    public async Task MinedRevert_SenderSkipsGasEstimate_ReasonReplayedAndNothingChanged()
    {
        // A transactor that does not estimate gas gets the transaction mined with status 0: the client replays it as a
        // call at the block before and reports the same reason as a refused estimate would.
        using var w = await ChannelWorld.CreateAsync(node);
        var c = await w.OpenAsync(100_000);
        var noWait = new FixedGasTransactor(w.Rpc, w.Sender, w.OtherKey, returnFailedReceipt: true);
        var waiting = new FixedGasTransactor(w.Rpc, w.Sender, w.OtherKey, returnFailedReceipt: false);
        var nonce = await w.Rpc.GetTransactionCountAsync(w.OtherKey.Address, BlockParameter.Latest);

        await RefusedAsync(w, "startClose", "NotParticipant", () => w.Channels.StartCloseAsync(noWait, c), c);
        await RefusedAsync(w, "settle", "ChannelNotClosing", () => w.Channels.SettleAsync(waiting, c), c);
        (await w.Rpc.GetTransactionCountAsync(w.OtherKey.Address, BlockParameter.Latest)).ShouldBe(nonce + 2, "both were mined (and reverted)");
    }

    private static OpenFunction Open(Address payer, Address payee, Address token, BigInteger amount) => new()
    {
        Payer = payer.ToString(),
        Payee = payee.ToString(),
        Token = token.ToString(),
        ChallengePeriod = ChannelWorld.Period,
        Amount = amount,
    };

    private static Task RefusedAsync(ChannelWorld w, string function, string error, Func<Task> action, params ChannelParameters[] channels) =>
        RefusedAsync(w, function, error, action, channels, null);

    private static async Task RefusedAsync(ChannelWorld w, string function, string error, Func<Task> action, ChannelParameters[] channels, Address? extra)
    {
        var before = await SnapshotAsync(w, channels, extra);
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(action);
        (ex.Function, ex.ErrorName).ShouldBe((function, error));
        (await SnapshotAsync(w, channels, extra)).ShouldBe(before, $"{function} refused with {error} changed the chain");
    }

    /// <summary>What a refusal must not change, read from the chain.</summary>
    private static async Task<List<string>> SnapshotAsync(ChannelWorld w, IEnumerable<ChannelParameters> channels, Address? extra = null)
    {
        var lines = new List<string>();
        foreach (var c in channels)
        {
            lines.Add($"{c.Id}: {await w.Channels.GetStateAsync(c.Id)}");
        }

        Address[] parties = [w.PayerKey.Address, w.PayeeKey.Address, w.PlatformKey.Address, w.OtherKey.Address, w.Channels.Address, .. extra is { } e ? [e] : Array.Empty<Address>()];
        foreach (var party in parties)
        {
            lines.Add($"{party} tokens {await w.Token.BalanceOfAsync(party)}, owed {await w.Channels.GetOwedAsync(w.Token.Address, party)} / {await w.Channels.GetOwedAsync(Address.Zero, party)} wei");
        }

        lines.Add($"contract wei {await w.Node.BalanceAsync(w.Channels.Address)}");
        lines.Add($"contract events {(await w.Channels.GetEventsAsync(BlockParameter.Earliest, BlockParameter.Latest)).Count}");
        return lines;
    }

    /// <summary>
    /// Sends with a fixed gas limit (no estimate, so a reverting call is mined) and either returns the failed receipt as
    /// it is or lets <see cref="TransactionSender.WaitForSuccessAsync"/> throw <see cref="TransactionRevertedException"/>.
    /// </summary>
    private sealed class FixedGasTransactor(EthereumRpcClient rpc, TransactionSender sender, PrivateKey key, bool returnFailedReceipt) : IContractTransactor
    {
        public Address Sender => key.Address;

        public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
        {
            var tx = await sender.SubmitAsync(key, to, data, value, 300_000, cancellationToken);
            return returnFailedReceipt
                ? await rpc.WaitForReceiptAsync(tx.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5), cancellationToken)
                : await sender.WaitForSuccessAsync(tx, cancellationToken);
        }
    }
}
