using System.Numerics;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Transactions;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// The two flaws the review of contract v1 found, reproduced and now refused, and v2's nonce rules (issue 12), against
/// a real node (run once per node kind).
/// </summary>
public abstract class ChannelV2Tests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    protected TNode Node { get; } = node;

    // ------------------------------------------------------------------ close agreements expire

    [Fact]
    public async Task CooperativeClose_StaleAgreementAfterDeadline_RevertsAndPayeeRedeemsNewerVoucher()
    {
        // The review's scenario: the payee signed a close at 500, then accepted vouchers up to 900. In v1 the payer
        // submitted the old close and the payee got 500. In v2 the agreement is dead after its deadline.
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000);
        var deadline = await w.LatestTimestampAsync() + 600;
        var stale = new CooperativeCloseState(c.Id, 500, 0, deadline);
        var payeeSignature = stale.Sign(w.PayeeKey, w.Channels.Domain);

        // The payee waits until the deadline has passed on chain before accepting vouchers above 500.
        await Node.IncreaseTimeAsync(601);
        await Node.MineAsync();
        (await w.LatestTimestampAsync()).ShouldBeGreaterThan(deadline);
        var newest = w.Channels.SignVoucher(w.PayerKey, c.Id, 900);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        await ShouldRevert(() => w.Channels.CooperativeCloseAsync(w.Payer, c, stale, null, payeeSignature), "CloseAgreementExpired");
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000, 0, 0, 0, 0));
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(1_000));

        await w.Channels.RedeemAsync(w.Payee, c, newest);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(900));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address)).ShouldBe(payerBefore);
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000, 900, 0, 0, 0));
    }

    [Fact]
    public async Task CooperativeClose_AtDeadline_PaysAgreedStateAndOneSecondLaterIsRefused()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var late = await w.OpenAsync(1_000);
        var onTime = await w.OpenAsync(1_000);
        var deadline = await w.LatestTimestampAsync() + 600;
        var lateAgreement = new CooperativeCloseState(late.Id, 500, 0, deadline);
        var onTimeAgreement = new CooperativeCloseState(onTime.Id, 500, 0, deadline);

        // Mined exactly at the deadline: still valid (inclusive).
        await Node.RequestAsync("evm_setNextBlockTimestamp", deadline);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var receipt = await w.Channels.CooperativeCloseAsync(w.Other, onTime, onTimeAgreement, onTimeAgreement.Sign(w.PayerKey, w.Channels.Domain), onTimeAgreement.Sign(w.PayeeKey, w.Channels.Domain));
        (await w.Rpc.GetBlockByNumberAsync(receipt.BlockNumber))!.Timestamp.ShouldBe(deadline);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(500));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(500));
        (await w.Channels.GetStateAsync(onTime.Id)).Exists.ShouldBeFalse();

        // One second later it is dead.
        await Node.RequestAsync("evm_setNextBlockTimestamp", deadline + 1);
        await ShouldRevert(
            () => w.Channels.CooperativeCloseAsync(w.Other, late, lateAgreement, lateAgreement.Sign(w.PayerKey, w.Channels.Domain), lateAgreement.Sign(w.PayeeKey, w.Channels.Domain)),
            "CloseAgreementExpired");
        (await w.Channels.GetStateAsync(late.Id)).ShouldBe(new ChannelState(true, 1_000, 0, 0, 0, 0));
    }

    [Fact]
    public async Task CooperativeClose_DeadlineAltered_RevertsInvalidSigner()
    {
        // The deadline is signed: moving it forward invalidates both signatures.
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000);
        var signed = new CooperativeCloseState(c.Id, 500, 0, await w.LatestTimestampAsync() + 600);
        var extended = new CooperativeCloseState(c.Id, 500, 0, signed.Deadline + 86_400);
        await ShouldRevert(() => w.Channels.CooperativeCloseAsync(w.Payer, c, extended, null, signed.Sign(w.PayeeKey, w.Channels.Domain)), "InvalidSigner");
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000, 0, 0, 0, 0));
    }

    [Fact]
    public async Task CooperativeClose_InOpeningBlock_RevertsCloseInOpeningBlock()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 1_000);
        var block = await w.Rpc.GetBlockNumberAsync() + 1; // the block both transactions go into
        var c = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, block);
        var agreement = new CooperativeCloseState(c.Id, 0, 0, await w.CloseDeadlineAsync());
        var open = OpenCall(w, c, 1_000);
        var close = CloseCall(c, agreement, agreement.Sign(w.PayerKey, w.Channels.Domain));

        var (opened, closed) = await InOneBlockAsync(w, (w.PayerKey, open), (w.PayeeKey, close), closeReason: "CloseInOpeningBlock");
        opened.Succeeded.ShouldBeTrue();
        closed.Succeeded.ShouldBeFalse();
        opened.BlockNumber.ShouldBe(block);
        closed.BlockNumber.ShouldBe(block);
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000, 0, 0, 0, 0));

        // In a later block the same agreement closes the channel.
        await w.Channels.CooperativeCloseAsync(w.Payee, c, agreement, agreement.Sign(w.PayerKey, w.Channels.Domain), null);
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
    }

    // ------------------------------------------------------------------ nonce = opening block

    [Fact]
    public async Task Open_SameParametersInSameBlock_SecondRevertsChannelExistsAndVictimRetriesNextBlock()
    {
        // A griefer front-runs an open with the same payer, payee, token and challenge period in the same block.
        using var w = await ChannelWorld.CreateAsync(Node);
        await w.Token.ApproveAsync(w.Other, w.Channels.Address, 5);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 2_000);
        var griefBefore = await w.Token.BalanceOfAsync(w.OtherKey.Address);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var block = await w.Rpc.GetBlockNumberAsync() + 1;
        var c = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, block);

        var (grief, victim) = await InOneBlockAsync(w, (w.OtherKey, OpenCall(w, c, 5)), (w.PayerKey, OpenCall(w, c, 1_000)), closeReason: "ChannelExists");
        grief.Succeeded.ShouldBeTrue();
        victim.Succeeded.ShouldBeFalse();
        victim.BlockNumber.ShouldBe(grief.BlockNumber);
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 5, 0, 0, 0, 0));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address)).ShouldBe(payerBefore);
        (griefBefore - await w.Token.BalanceOfAsync(w.OtherKey.Address)).ShouldBe(new BigInteger(5));

        // The victim retries in the next block: another nonce, another id, its own deposit.
        var retried = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, 1_000);
        retried.Channel.Nonce.ShouldBe(retried.BlockNumber!.Value);
        retried.Channel.Nonce.ShouldBeGreaterThan(block);
        retried.ChannelId.ShouldNotBe(c.Id);
        (await w.Channels.GetStateAsync(retried.ChannelId)).ShouldBe(new ChannelState(true, 1_000, 0, 0, 0, 0));
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 5, 0, 0, 0, 0));
    }

    // ------------------------------------------------------------------ batches skip, never griefed

    [Fact]
    public async Task RedeemBatch_ThirdPartyRedeemsOneOfFiftyFirst_OtherFortyNinePaidAndItemSkipped()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        const int Count = 50;
        const int Griefed = 17;
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, Count * 10_000);
        var items = new List<(ChannelParameters Channel, SignedVoucher Voucher)>();
        for (var i = 0; i < Count; i++)
        {
            var opened = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, 10_000);
            items.Add((opened.Channel, w.Channels.SignVoucher(w.PayerKey, opened.ChannelId, 1_000 + i)));
        }

        // Whoever watches the payee's pending batch redeems one of its vouchers first (redeem is open to anyone).
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        await w.Channels.RedeemAsync(w.Other, items[Griefed].Channel, items[Griefed].Voucher);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(1_000 + Griefed));

        var beforeBatch = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var receipt = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items);

        var expectedPaid = Enumerable.Range(0, Count).Where(i => i != Griefed).Sum(i => 1_000 + i);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - beforeBatch).ShouldBe(new BigInteger(expectedPaid));
        var outcomes = ChannelContract.BatchOutcomes(receipt, w.Channels.Address, items);
        outcomes.Count.ShouldBe(Count);
        outcomes[Griefed].ShouldBe(new BatchItemSkipped(items[Griefed].Channel.Id, 1_000 + Griefed, BatchSkipReason.AlreadyRedeemed));
        outcomes.Where((_, i) => i != Griefed).ShouldAllBe(o => o is BatchItemRedeemed);

        var events = w.Channels.DecodeEvents(receipt.Logs);
        var skipped = events.OfType<BatchItemSkippedEvent>().Single();
        (skipped.ChannelId, skipped.CumulativeAmount, skipped.Reason).ShouldBe((items[Griefed].Channel.Id, new BigInteger(1_000 + Griefed), BatchSkipReason.AlreadyRedeemed));
        var redeemed = events.OfType<BatchVoucherRedeemedEvent>().ToList();
        redeemed.Select(e => e.ChannelId).ShouldBe(items.Where((_, i) => i != Griefed).Select(x => x.Channel.Id));
        redeemed.Select(e => e.Item).ShouldBe(Enumerable.Range(0, Count - 1));
        redeemed.Select(e => e.Channel).ShouldBe(items.Where((_, i) => i != Griefed).Select(x => (ChannelParameters?)x.Channel));
        for (var i = 0; i < Count; i++)
        {
            (await w.Channels.GetStateAsync(items[i].Channel.Id)).ShouldBe(new ChannelState(true, 10_000, 1_000 + i, 0, 0, 0));
        }

        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger((Count * 10_000) - expectedPaid - (1_000 + Griefed)));
    }

    [Fact]
    public async Task RedeemBatch_SettledChannelAndExpiredWindow_SkippedWithReasonsRestPaid()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var open = await w.OpenAsync(10_000);
        var settled = await w.OpenAsync(10_000);
        var expired = await w.OpenAsync(10_000);
        var late = await w.OpenAsync(10_000); // redeemed beyond the item: skipped too, even while closing
        await w.Channels.RedeemAsync(w.Payee, late, w.Channels.SignVoucher(w.PayerKey, late.Id, 3_000));
        await w.Channels.StartCloseAsync(w.Payer, settled);
        await w.Channels.StartCloseAsync(w.Payer, expired);
        await w.PassChallengePeriodAsync();
        await w.Channels.SettleAsync(w.Payer, settled);

        List<(ChannelParameters, SignedVoucher)> items =
        [
            (open, w.Channels.SignVoucher(w.PayerKey, open.Id, 4_000)),
            (settled, w.Channels.SignVoucher(w.PayerKey, settled.Id, 5_000)),
            (expired, w.Channels.SignVoucher(w.PayerKey, expired.Id, 6_000)),
            (late, w.Channels.SignVoucher(w.PayerKey, late.Id, 2_000)),
        ];
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var receipt = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items);

        ChannelContract.BatchOutcomes(receipt, w.Channels.Address, items).ShouldBe(
        [
            new BatchItemRedeemed(open.Id, 4_000),
            new BatchItemSkipped(settled.Id, 5_000, BatchSkipReason.ChannelNotFound),
            new BatchItemSkipped(expired.Id, 6_000, BatchSkipReason.ChallengePeriodOver),
            new BatchItemSkipped(late.Id, 2_000, BatchSkipReason.AlreadyRedeemed),
        ]);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(4_000));
        (await w.Channels.GetStateAsync(open.Id)).RedeemedByPayee.ShouldBe(new BigInteger(4_000));
        (await w.Channels.GetStateAsync(settled.Id)).Exists.ShouldBeFalse();
        (await w.Channels.GetStateAsync(expired.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        (await w.Channels.GetStateAsync(late.Id)).RedeemedByPayee.ShouldBe(new BigInteger(3_000));

        // The expired channel still settles in full to the payer.
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        await w.Channels.SettleAsync(w.Other, expired);
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(10_000));
    }

    [Fact]
    public async Task RedeemBatch_AllItemsSkipped_NothingPaidNoRedeemedEvent()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(10_000);
        var voucher = w.Channels.SignVoucher(w.PayerKey, c.Id, 1_000);
        await w.Channels.RedeemAsync(w.Other, c, voucher);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        var receipt = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, [(c, voucher)]);
        var events = w.Channels.DecodeEvents(receipt.Logs);
        events.OfType<BatchVoucherRedeemedEvent>().ShouldBeEmpty();
        events.OfType<BatchItemSkippedEvent>().Single().Reason.ShouldBe(BatchSkipReason.AlreadyRedeemed);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(payeeBefore);
    }

    [Fact]
    public async Task RedeemBatch_ItemOfAnotherChallengePeriod_RevertsInvalidSignerNothingPaid()
    {
        // A batch carries one challenge period. The voucher signs the channel id, which hashes the challenge period, so
        // an item of a channel with another period fails its signature check like any other item of the wrong channel.
        using var w = await ChannelWorld.CreateAsync(Node);
        var hour = await w.OpenAsync(10_000);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 10_000);
        var day = (await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, 86_400, 10_000)).Channel;
        var hourItem = ChannelContract.EncodeBatch([(hour, w.Channels.SignVoucher(w.PayerKey, hour.Id, 1_000))]);
        var dayItem = ChannelContract.EncodeBatch([(day, w.Channels.SignVoucher(w.PayerKey, day.Id, 2_000))]);
        byte[] mixed = [.. hourItem, .. dayItem[ChannelContract.BatchHeaderSize..]];
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        await ShouldRevert(
            () => w.Channels.SendAsync(w.Payee, new RedeemBatchFunction { Token = w.Token.Address.ToString(), Batch = mixed }, BigInteger.Zero, CancellationToken.None),
            "InvalidSigner");

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(payeeBefore);
        (await w.Channels.GetStateAsync(hour.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        // One batch per challenge period pays both.
        var first = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, [(hour, w.Channels.SignVoucher(w.PayerKey, hour.Id, 1_000))]);
        var second = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, [(day, w.Channels.SignVoucher(w.PayerKey, day.Id, 2_000))]);
        w.Channels.DecodeEvents(second.Logs).OfType<BatchVoucherRedeemedEvent>().ShouldHaveSingleItem().Channel.ShouldBe(day);
        w.Channels.DecodeEvents(first.Logs).OfType<BatchVoucherRedeemedEvent>().ShouldHaveSingleItem().Channel.ShouldBe(hour);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(3_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task RedeemBatch_WrongSignerAnywhere_RevertsWholeBatchNothingPaid(int bad)
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var items = new List<(ChannelParameters Channel, SignedVoucher Voucher)>();
        for (var i = 0; i < 5; i++)
        {
            var c = await w.OpenAsync(10_000);
            items.Add((c, w.Channels.SignVoucher(i == bad ? w.OtherKey : w.PayerKey, c.Id, 1_000)));
        }

        await AssertWholeBatchRefusedAsync(w, items, "InvalidSigner");
    }

    [Fact]
    public async Task RedeemBatch_BadSignatureOnAnItemThatWouldBeSkipped_StillRevertsWholeBatch()
    {
        // The signature is checked before the skip decision: a forged item for an already redeemed channel does not
        // pass as "skipped".
        using var w = await ChannelWorld.CreateAsync(Node);
        var good = await w.OpenAsync(10_000);
        var redeemed = await w.OpenAsync(10_000);
        await w.Channels.RedeemAsync(w.Payee, redeemed, w.Channels.SignVoucher(w.PayerKey, redeemed.Id, 5_000));
        await AssertWholeBatchRefusedAsync(
            w,
            [(good, w.Channels.SignVoucher(w.PayerKey, good.Id, 1_000)), (redeemed, w.Channels.SignVoucher(w.OtherKey, redeemed.Id, 1_000))],
            "InvalidSigner");
    }

    [Fact]
    public async Task RedeemBatch_MalleableOrZeroRecoverySignature_RevertsWholeBatch()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var a = await w.OpenAsync(10_000);
        var b = await w.OpenAsync(10_000);
        List<(ChannelParameters Channel, SignedVoucher Voucher)> items =
        [
            (a, w.Channels.SignVoucher(w.PayerKey, a.Id, 1_000)),
            (b, w.Channels.SignVoucher(w.PayerKey, b.Id, 2_000)),
        ];
        var batch = ChannelContract.EncodeBatch(items);

        // s just above half the order in the second item's vs word.
        var highS = batch.ToArray();
        var half = BigInteger.Parse("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        (half + 1).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(highS, ChannelContract.BatchHeaderSize + ChannelContract.BatchItemSize + 69);
        // r = 0 recovers nothing.
        var zeroR = batch.ToArray();
        Array.Clear(zeroR, ChannelContract.BatchHeaderSize + ChannelContract.BatchItemSize + 37, 32);

        foreach (var (bytes, error) in new[] { (highS, "ECDSAInvalidSignatureS"), (zeroR, "ECDSAInvalidSignature") })
        {
            var before = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
            await ShouldRevert(
                () => w.Channels.SendAsync(w.Payee, new RedeemBatchFunction { Token = w.Token.Address.ToString(), Batch = bytes }, BigInteger.Zero, CancellationToken.None),
                error);
            (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(before);
            (await w.Channels.GetStateAsync(a.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        }
    }

    [Fact]
    public async Task RedeemBatch_AmountAboveDeposit_RevertsWholeBatch()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var a = await w.OpenAsync(10_000);
        var b = await w.OpenAsync(10_000);
        await AssertWholeBatchRefusedAsync(
            w,
            [(a, w.Channels.SignVoucher(w.PayerKey, a.Id, 1_000)), (b, w.Channels.SignVoucher(w.PayerKey, b.Id, 10_001))],
            "AmountExceedsDeposit");
    }

    private static async Task AssertWholeBatchRefusedAsync(ChannelWorld w, IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> items, string error)
    {
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var escrowBefore = await w.Token.BalanceOfAsync(w.Channels.Address);
        var statesBefore = new List<ChannelState>();
        foreach (var (c, _) in items)
        {
            statesBefore.Add(await w.Channels.GetStateAsync(c.Id));
        }

        await ShouldRevert(() => w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items), error);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(payeeBefore);
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(escrowBefore);
        for (var i = 0; i < items.Count; i++)
        {
            (await w.Channels.GetStateAsync(items[i].Channel.Id)).ShouldBe(statesBefore[i]);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private static byte[] OpenCall(ChannelWorld w, ChannelParameters c, BigInteger amount) => new OpenFunction
    {
        Payer = c.Payer.ToString(), Payee = c.Payee.ToString(), Token = w.Token.Address.ToString(), ChallengePeriod = c.ChallengePeriodSeconds, Amount = amount,
    }.GetCallData();

    private static byte[] CloseCall(ChannelParameters c, CooperativeCloseState state, Ethereum.Signing.EcdsaSignature payerSignature) => new CooperativeCloseFunction
    {
        C = ChannelContract.Tuple(c),
        PayerToPayee = state.PayerToPayee,
        PayeeToPayer = state.PayeeToPayer,
        Deadline = state.Deadline,
        PayerSig = new SignatureStruct { V = payerSignature.V, R = payerSignature.R.ToArray(), S = payerSignature.S.ToArray() },
        PayeeSig = new SignatureStruct { V = 0, R = new byte[32], S = new byte[32] },
    }.GetCallData();

    /// <summary>
    /// Puts two transactions into one block (automine off, one <c>evm_mine</c>), in this order. Before mining, the
    /// second is executed with <c>eth_call</c> on the pending block (the first applied, the same block number) and must
    /// revert with <paramref name="closeReason"/>. Returns both receipts.
    /// </summary>
    private async Task<(TransactionReceipt First, TransactionReceipt Second)> InOneBlockAsync(
        ChannelWorld w, (Ethereum.Signing.PrivateKey Key, byte[] Data) first, (Ethereum.Signing.PrivateKey Key, byte[] Data) second, string closeReason)
    {
        await Node.SetAutomineAsync(false);
        SignedTransaction a, b;
        try
        {
            a = await w.Sender.SubmitAsync(first.Key, w.Channels.Address, first.Data, 0, gasLimit: 300_000);
            b = await w.Sender.SubmitAsync(second.Key, w.Channels.Address, second.Data, 0, gasLimit: 300_000);
            var ex = await Should.ThrowAsync<JsonRpcException>(() => w.Rpc.CallAsync(
                new CallRequest { From = second.Key.Address, To = w.Channels.Address, Data = second.Data }, BlockParameter.Pending));
            RevertReason.TryDecode(ex.RevertData!.Value.Span, ChannelContract.Errors, out var reason).ShouldBeTrue();
            reason!.Name.ShouldBe(closeReason);
            await Node.MineAsync();
        }
        finally
        {
            await Node.SetAutomineAsync(true);
        }

        var firstReceipt = await w.Rpc.WaitForReceiptAsync(a.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var secondReceipt = await w.Rpc.WaitForReceiptAsync(b.Hash.ToArray(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        firstReceipt.BlockNumber.ShouldBe(secondReceipt.BlockNumber);
        return (firstReceipt, secondReceipt);
    }

    private static async Task ShouldRevert(Func<Task> action, string errorName)
    {
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(action);
        ex.ErrorName.ShouldBe(errorName);
    }
}
