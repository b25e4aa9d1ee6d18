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

/// <summary>
/// <see cref="PayerChannel"/> off the chain and without a payee stream: the store fault latch, exact boundaries of
/// acknowledgements, receipts and refunds, and refusals with their reasons and unchanged state.
/// </summary>
public sealed class PayerChannelEdgeTests
{
    // A close agreement deadline (unix seconds); the fake chain does not check it.
    private const ulong CloseDeadline = 1_900_000_000;

    [Fact]
    public async Task SignNext_AfterAStoreFault_RefusesEvenOnceTheStoreWorksAgainUntilReopened()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(10);
        store.FailAfterBatches = store.Batches;

        var first = await Should.ThrowAsync<InvalidOperationException>(() => channel.SignNextAsync(5));
        store.FailAfterBatches = null;
        var later = await Should.ThrowAsync<InvalidOperationException>(() => channel.TrySignNextAsync(5));

        first.Message.ShouldBe($"Channel {w.Key}: the voucher store failed; reopen the channel.");
        first.InnerException.ShouldBeOfType<IOException>();
        later.Message.ShouldBe($"Channel {w.Key}: the voucher store failed earlier; reopen the channel.");
        later.InnerException.ShouldBeSameAs(first.InnerException);
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(new BigInteger(10));
        channel.NewestVoucher!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task NewestVoucher_AfterEachSignature_IsTheOneJustSigned()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        channel.NewestVoucher.ShouldBeNull();

        var a = await channel.SignNextAsync(100);
        channel.NewestVoucher.ShouldBe(a);
        var b = await channel.SignNextAsync(50);

        channel.NewestVoucher.ShouldBe(b);
        channel.CloseState(CloseDeadline).PayerToPayee.ShouldBe(new BigInteger(150));
    }

    [Fact]
    public async Task SignNext_ChannelClosed_RefusedChannelClosedAndNothingSigned()
    {
        using var w = new PayerWorld(1_000);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Status = PayerChannelStatus.Closed });
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.TrySignNextAsync(10)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosed, 10, 0, 1_000));
        (await channel.PayAsync(10)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosed, 10, 0, 1_000));

        channel.Signed.ShouldBe(BigInteger.Zero);
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await w.Store.GetChannelAsync(w.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task Properties_ReflectTheStoredRecord()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 40);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        channel.Key.ShouldBe(w.Key);
        channel.Id.ShouldBe(w.Key.ChannelId);
        channel.Parameters.ShouldBe(w.Parameters);
        channel.Deposit.ShouldBe(new BigInteger(1_000));
        channel.PayeeDeposit.ShouldBe(new BigInteger(40));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        channel.ToString().ShouldBe($"payer channel {w.Key}");
    }

    [Fact]
    public async Task RecordAcknowledgement_Null_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await Should.ThrowAsync<ArgumentNullException>(() => channel.RecordAcknowledgementAsync(null!))).ParamName.ShouldBe("ack");
    }

    [Theory]
    [InlineData(AckOutcome.Accepted, 300)]
    [InlineData(AckOutcome.Duplicate, 300)]
    [InlineData(AckOutcome.Rejected, 200)]
    public async Task RecordAcknowledgement_AcceptedCountsTheSubmittedAmountARejectionTheStoredOne(AckOutcome outcome, int held)
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(300);
        var code = outcome == AckOutcome.Rejected ? VoucherRejectCode.WrongSigner : (VoucherRejectCode?)null;

        (await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, outcome, code, 300, 200))).ShouldBe(ReceiptVerdict.Stored);

        channel.Acknowledged.ShouldBe(new BigInteger(held));
        channel.Exposure.ShouldBe(new BigInteger(300 - held));
        (await w.Store.GetChannelAsync(w.Key))!.Acknowledged.ShouldBe(new BigInteger(held));
    }

    [Fact]
    public async Task RecordAcknowledgement_SameAmountAgain_NotNewerAndNothingWritten()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(300);
        await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 200, 200));
        var batches = store.Batches;

        (await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Duplicate, null, 200, 200))).ShouldBe(ReceiptVerdict.NotNewer);

        channel.Acknowledged.ShouldBe(new BigInteger(200));
        store.Batches.ShouldBe(batches);
    }

    [Fact]
    public async Task RecordReceipt_ExactlyTheSignedAmount_StoredAndFullyAcknowledged()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);

        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key, 500, 7))).ShouldBe(ReceiptVerdict.Stored);

        channel.Acknowledged.ShouldBe(new BigInteger(500));
        channel.Exposure.ShouldBe(BigInteger.Zero);
        var kept = channel.NewestReceipt!;
        kept.Cumulative.ShouldBe(new BigInteger(500));
        kept.IssuedAt.ShouldBe(7UL);
        kept.ReceivedAt.ShouldBe(w.Clock.GetUtcNow());
    }

    [Fact]
    public async Task RecordReceipt_NewerOne_ReplacesTheNewest_OnDiskBoth()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);

        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key, 300, 7))).ShouldBe(ReceiptVerdict.Stored);
        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key, 450, 8))).ShouldBe(ReceiptVerdict.Stored);

        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(450));
        channel.NewestReceipt.IssuedAt.ShouldBe(8UL);
        channel.Acknowledged.ShouldBe(new BigInteger(450));
        (await w.Store.ListReceiptsAsync(w.Key)).Select(r => r.Cumulative).ShouldBe([new BigInteger(300), new BigInteger(450)], ignoreOrder: true);
    }

    [Fact]
    public async Task RefundFromTheStream_StoreFailsWhileChecking_HandledWithNoOutcome_NothingKept()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var handled = new TaskCompletionSource<RefundOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.RefundHandled += outcome => handled.TrySetResult(outcome);

        // Another instance stored a higher refund; reading where the store stands then fails.
        var higher = w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 60);
        (await store.SaveRefundAsync(w.Key, higher)).ShouldBeTrue();
        store.FailNextRead = true;
        channel.OnRefund(RefundFrame.FromSignedVoucher(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 40)));

        (await handled.Task.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeNull();
        channel.NewestRefund.ShouldBeNull();
        (await store.GetChannelAsync(w.Key))!.Refund.ShouldBe(higher);
    }

    [Fact]
    public async Task RecordReceipt_Null_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await Should.ThrowAsync<ArgumentNullException>(() => channel.RecordReceiptAsync((PaymentReceipt)null!))).ParamName.ShouldBe("receipt");
        (await Should.ThrowAsync<ArgumentNullException>(() => channel.RecordReceiptAsync((ReceiptFrame)null!))).ParamName.ShouldBe("receipt");
    }

    [Fact]
    public async Task RecordReceiptFrame_PayeeSigned_StoredAndUnparseableSignature_WrongSigner()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);
        var receipt = new ReceiptSigner(w.PayeeKey).Sign(w.Key, 400, 9);

        (await channel.RecordReceiptAsync(new ReceiptFrame(w.Key.ChannelId, 450, 9, new byte[3]))).ShouldBe(ReceiptVerdict.WrongSigner);
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldBeEmpty();

        (await channel.RecordReceiptAsync(new ReceiptFrame(w.Key.ChannelId, 400, 9, receipt.Signature.ToRsv()))).ShouldBe(ReceiptVerdict.Stored);
        channel.Acknowledged.ShouldBe(new BigInteger(400));
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldHaveSingleItem().Cumulative.ShouldBe(new BigInteger(400));
    }

    [Fact]
    public async Task OnReceipt_ForThisChannel_KeptAndForAnother_Ignored()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);
        var signature = new ReceiptSigner(w.PayeeKey).Sign(w.Key, 300, 9).Signature.ToRsv();

        channel.OnReceipt(new ReceiptFrame(ChannelId.FromBytes(new byte[32]), 300, 9, signature));
        channel.NewestReceipt.ShouldBeNull();
        channel.OnReceipt(new ReceiptFrame(w.Key.ChannelId, 300, 9, signature));

        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(300));
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task RecordReceipt_ConfiguredReceiptSigner_OnlyItsSignatureCounts()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient(new PayerClientOptions { TimeProvider = w.Clock, ReceiptSigner = w.StrangerKey.Address });
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(500);

        (await channel.RecordReceiptAsync(new ReceiptSigner(w.PayeeKey).Sign(w.Key, 400, 1))).ShouldBe(ReceiptVerdict.WrongSigner);
        channel.Acknowledged.ShouldBe(BigInteger.Zero);
        (await channel.RecordReceiptAsync(new ReceiptSigner(w.StrangerKey).Sign(w.Key, 400, 1))).ShouldBe(ReceiptVerdict.Stored);
        channel.Acknowledged.ShouldBe(new BigInteger(400));
    }

    [Fact]
    public async Task RequestReceipt_NoPayeeStream_Null()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(5);

        (await channel.RequestReceiptAsync()).ShouldBeNull();
        channel.NewestReceipt.ShouldBeNull();
    }

    [Fact]
    public async Task AcceptRefund_Null_Throws()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await Should.ThrowAsync<ArgumentNullException>(() => channel.AcceptRefundAsync(null!))).ParamName.ShouldBe("refund");
    }

    [Fact]
    public async Task AcceptRefund_ExactlyThePayeeDeposit_Accepted()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 500))).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 500));

        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(500));
        (await w.Store.GetChannelAsync(w.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(500));
    }

    [Fact]
    public async Task AcceptRefund_StaleOrDuplicate_NeverReachesTheStore()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store, payeeDeposit: 500);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 100));

        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 60))).ShouldBe(new RefundOutcome(RefundVerdict.Stale, 100));
        (await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 100))).ShouldBe(new RefundOutcome(RefundVerdict.Duplicate, 100));

        store.RefundSaves.ShouldBe(1);
    }

    [Fact]
    public async Task AcceptRefund_AnotherInstanceStoredAHigherOne_StaleAtTheStoresAmount()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var first = w.NewClient();
        await using var second = w.NewClient();
        var a = await w.ChannelAsync(first);
        var b = await w.ChannelAsync(second);
        (await a.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 200))).Verdict.ShouldBe(RefundVerdict.Accepted);

        var outcome = await b.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 150));

        outcome.ShouldBe(new RefundOutcome(RefundVerdict.Stale, 200));
        b.NewestRefund.ShouldBeNull();
        (await w.Store.GetChannelAsync(w.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(200));
    }

    [Fact]
    public async Task SignClose_Null_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        Should.Throw<ArgumentNullException>(() => channel.SignClose(null!)).ParamName.ShouldBe("state");
    }

    [Fact]
    public async Task DeliverPending_NoPayeeStream_TrueOnlyWhenNothingIsUnacknowledged()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        (await channel.DeliverPendingAsync()).ShouldBeTrue(); // nothing signed

        await channel.SignNextAsync(100);
        (await channel.DeliverPendingAsync()).ShouldBeFalse(); // signed, no way to send it
        await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 99, 99));
        (await channel.DeliverPendingAsync()).ShouldBeFalse(); // one below
        await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 100, 100));

        (await channel.DeliverPendingAsync()).ShouldBeTrue();
        await channel.FlushAsync(); // returns at once
    }

    [Fact]
    public async Task Flush_Unacknowledged_RetriesOnTheClockUntilAcknowledgedOrCancelled()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(100);
        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => channel.FlushAsync(cancelled.Token));
        }

        var flush = channel.FlushAsync();
        await channel.OnConnectedAsync(); // no stream: nothing to send, nothing thrown
        flush.IsCompleted.ShouldBeFalse();
        await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 100, 100));
        while (!flush.IsCompleted)
        {
            w.Clock.Advance(client.Options.RetryDelay);
            await Task.Delay(1);
        }

        await flush;
        channel.Exposure.ShouldBe(BigInteger.Zero);
    }
}
