using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer;

public sealed class PayerChannelTests
{
    // A close agreement deadline (unix seconds); the fake chain does not check it.
    private const ulong CloseDeadline = 1_900_000_000;

    [Fact]
    public async Task SignNext_ThreePayments_CumulativeAddsUpAndPayerSigned()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var a = await channel.SignNextAsync(100);
        var b = await channel.SignNextAsync(50);
        var c = await channel.SignNextAsync(7);

        a.Voucher.CumulativeAmount.ShouldBe(new BigInteger(100));
        b.Voucher.CumulativeAmount.ShouldBe(new BigInteger(150));
        c.Voucher.CumulativeAmount.ShouldBe(new BigInteger(157));
        c.Voucher.TryRecoverSigner(w.Contract.Domain, c.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(w.PayerKey.Address);
        channel.Signed.ShouldBe(new BigInteger(157));
        channel.Exposure.ShouldBe(new BigInteger(157));
        channel.Remaining.ShouldBe(new BigInteger(843));
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBe(c);
    }

    [Fact]
    public async Task SignNext_BeyondDeposit_RefusedExceedsDepositAndNothingChanges()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(900);
        var before = await w.Store.GetChannelAsync(w.Key);

        var outcome = await channel.TrySignNextAsync(101);

        outcome.ShouldBe(new PaymentRefused(PaymentRefusalReason.ExceedsDeposit, 101, 900, 1_000));
        channel.Signed.ShouldBe(new BigInteger(900));
        (await w.Store.GetChannelAsync(w.Key)).ShouldBe(before);
        var thrown = await Should.ThrowAsync<PaymentRefusedException>(() => channel.SignNextAsync(101));
        thrown.Refusal!.Reason.ShouldBe(PaymentRefusalReason.ExceedsDeposit);
        (await channel.SignNextAsync(100)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(1_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task SignNext_NotPositive_RefusedNotPositiveAndNothingSigned(int increment)
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.TrySignNextAsync(increment);

        outcome.ShouldBe(new PaymentRefused(PaymentRefusalReason.NotPositive, increment, 0, 1_000));
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task SignNext_ChannelClosing_RefusedChannelClosing()
    {
        using var w = new PayerWorld(1_000);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Status = PayerChannelStatus.Closing });
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.PayAsync(10);

        outcome.ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosing, 10, 0, 1_000));
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task SignNext_ConcurrentCallers_AmountsAddUpExactlyAndEveryCumulativeIsDistinct()
    {
        using var w = new PayerWorld(10_000_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var increments = Enumerable.Range(1, 400).Select(i => new BigInteger(i % 17 + 1)).ToArray();

        var vouchers = await Task.WhenAll(increments.Select(i => Task.Run(() => channel.SignNextAsync(i))));

        var total = increments.Aggregate(BigInteger.Zero, (s, i) => s + i);
        channel.Signed.ShouldBe(total);
        vouchers.Select(v => v.Voucher.CumulativeAmount).Distinct().Count().ShouldBe(vouchers.Length);
        vouchers.Max(v => v.Voucher.CumulativeAmount).ShouldBe(total);
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(total);
        // Each voucher's amount is its own increment above some earlier one: sorting them recovers a chain of increments.
        var sorted = vouchers.Select(v => v.Voucher.CumulativeAmount).Order().ToArray();
        sorted.Zip(sorted.Skip(1)).All(p => p.Second - p.First <= 17).ShouldBeTrue();
    }

    [Fact]
    public async Task Restart_NewClientOnSameStore_ContinuesAboveNewestAndKnowsExposure()
    {
        using var w = new PayerWorld(1_000);
        await using (var first = w.NewClient())
        {
            var channel = await w.ChannelAsync(first);
            await channel.SignNextAsync(300);
            await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 200, 200));
            await channel.SignNextAsync(100);
        }

        await using var second = w.NewClient();
        var again = await w.ChannelAsync(second);

        again.Signed.ShouldBe(new BigInteger(400));
        again.Acknowledged.ShouldBe(new BigInteger(200));
        again.Exposure.ShouldBe(new BigInteger(200));
        (await again.SignNextAsync(1)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(401));
    }

    [Fact]
    public async Task SignNext_StoreFails_ThrowsAndRestartNeverSignsBelowAReturnedVoucher()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store);
        BigInteger returned;
        await using (var client = w.NewClient())
        {
            var channel = await w.ChannelAsync(client);
            returned = (await channel.SignNextAsync(10)).Voucher.CumulativeAmount;
            store.FailAfterBatches = store.Batches;

            await Should.ThrowAsync<InvalidOperationException>(() => channel.SignNextAsync(5));
            var again = await Should.ThrowAsync<InvalidOperationException>(() => channel.SignNextAsync(5));
            again.Message.ShouldContain("reopen the channel");
        }

        store.FailAfterBatches = null;
        await using var restarted = w.NewClient();
        var reopened = await w.ChannelAsync(restarted);
        reopened.Signed.ShouldBe(returned);
        (await reopened.SignNextAsync(5)).Voucher.CumulativeAmount.ShouldBeGreaterThan(returned);
    }

    [Fact]
    public async Task SignNext_SameAmountAfterRestart_GivesTheSameSignature()
    {
        using var w = new PayerWorld(1_000);
        SignedVoucher first;
        await using (var a = w.NewClient())
        {
            first = await (await w.ChannelAsync(a)).SignNextAsync(10);
        }

        // A crash before the write: a fresh store signs the same cumulative amount again, byte for byte.
        using var fresh = new PayerWorld(1_000);
        await using var b = fresh.NewClient();
        var second = await (await fresh.ChannelAsync(b)).SignNextAsync(10);

        second.ShouldBe(first);
    }

    [Fact]
    public async Task PayAsync_NoPayeeStream_ReturnsSignedForTheCallerToCarry()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.PayAsync(25);

        outcome.ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(25));
    }

    [Fact]
    public async Task RecordAcknowledgement_StaleAckNamingHigherStored_RaisesAcknowledgedOnlyUpToSigned()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(300);

        (await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Rejected, VoucherRejectCode.Stale, 100, 250))).ShouldBe(ReceiptVerdict.Stored);
        channel.Acknowledged.ShouldBe(new BigInteger(250));
        (await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 200, 200))).ShouldBe(ReceiptVerdict.NotNewer);
        (await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Rejected, VoucherRejectCode.Stale, 100, 999))).ShouldBe(ReceiptVerdict.Stored);
        channel.Acknowledged.ShouldBe(new BigInteger(300));
        (await channel.RecordAcknowledgementAsync(new AckFrame(ChannelId.FromBytes(new byte[32]), AckOutcome.Accepted, null, 300, 300))).ShouldBe(ReceiptVerdict.WrongChannel);
        (await w.Store.GetChannelAsync(w.Key))!.Acknowledged.ShouldBe(new BigInteger(300));
    }

    [Fact]
    public async Task RecordReceipt_SignedByPayee_KeptAndCountsAsAcknowledged()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);
        var receipt = new ReceiptSigner(w.PayeeKey).Sign(w.Key, 400, 1_700_000_000);

        (await channel.RecordReceiptAsync(receipt)).ShouldBe(ReceiptVerdict.Stored);

        channel.Acknowledged.ShouldBe(new BigInteger(400));
        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(400));
        var kept = await w.Store.ListReceiptsAsync(w.Key);
        kept.Count.ShouldBe(1);
        kept[0].ToPaymentReceipt().IsSignedBy(w.PayeeKey.Address).ShouldBeTrue();
        (await channel.RecordReceiptAsync(receipt)).ShouldBe(ReceiptVerdict.NotNewer);
    }

    [Fact]
    public async Task RecordReceipt_WrongSignerOrAboveSigned_RefusedAndNothingKept()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);

        (await channel.RecordReceiptAsync(new ReceiptSigner(w.StrangerKey).Sign(w.Key, 400, 1))).ShouldBe(ReceiptVerdict.WrongSigner);
        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key, 501, 1))).ShouldBe(ReceiptVerdict.AboveSigned);
        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key with { ChainId = 1 }, 400, 1))).ShouldBe(ReceiptVerdict.WrongChannel);

        (await w.Store.ListReceiptsAsync(w.Key)).ShouldBeEmpty();
        channel.Acknowledged.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task AcceptRefund_PayeeSignedWithinPayeeDeposit_StoredNewest()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 120))).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 120));
        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 120))).ShouldBe(new RefundOutcome(RefundVerdict.Duplicate, 120));
        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 200))).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 200));

        (await w.Store.GetChannelAsync(w.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(200));
        channel.CloseState(CloseDeadline).PayeeToPayer.ShouldBe(new BigInteger(200));
    }

    public static TheoryData<string, RefundVerdict> BadRefunds => new()
    {
        { "stale", RefundVerdict.Stale },
        { "payer-signed", RefundVerdict.WrongSigner },
        { "stranger", RefundVerdict.WrongSigner },
        { "other-channel", RefundVerdict.WrongChannel },
        { "over-deposit", RefundVerdict.ExceedsPayeeDeposit },
        { "zero", RefundVerdict.Zero },
    };

    [Theory]
    [MemberData(nameof(BadRefunds))]
    public async Task AcceptRefund_Invalid_RefusedWithReasonAndStoredUnchanged(string kind, RefundVerdict verdict)
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 100));
        var refund = kind switch
        {
            "stale" => w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 50),
            "payer-signed" => w.Contract.SignVoucher(w.PayerKey, w.Key.ChannelId, 150),
            "stranger" => w.Contract.SignVoucher(w.StrangerKey, w.Key.ChannelId, 150),
            "other-channel" => w.Contract.SignVoucher(w.PayeeKey, ChannelId.FromBytes(new byte[32]), 150),
            "over-deposit" => w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 501),
            _ => w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 0),
        };

        (await channel.AcceptRefundAsync(refund)).ShouldBe(new RefundOutcome(verdict, 100));
        (await w.Store.GetChannelAsync(w.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(100));
        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(100));
    }

    [Fact]
    public async Task CloseState_AfterPayments_IsNewestSignedAndPayerSignatureRecovers()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(321);

        var state = channel.CloseState(CloseDeadline);
        var signature = channel.SignClose(state);

        state.PayerToPayee.ShouldBe(new BigInteger(321));
        state.TryRecoverSigner(w.Contract.Domain, signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(w.PayerKey.Address);
    }
}
