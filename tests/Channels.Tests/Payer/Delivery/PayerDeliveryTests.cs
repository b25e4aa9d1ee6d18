using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer.Delivery;

/// <summary>
/// Delivery over the payee stream to a <see cref="FakePayee"/> on loopback: what each ACK means for the outcome and the
/// acknowledged amount, queueing while the payee is away, the newest voucher sent once on (re)connect, receipts.
/// </summary>
public sealed class PayerDeliveryTests
{
    [Fact]
    public async Task Pay_PayeeAccepts_DeliveredInOrderAndAcknowledged()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var first = await channel.PayAsync(10);
        var second = await channel.PayAsync(15);

        first.ShouldBeOfType<PaymentDelivered>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(10));
        second.ShouldBeOfType<PaymentDelivered>().Ack.ShouldBe(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, 25, 25));
        // The connect-time resend may carry the first voucher once more (the payee answers Duplicate); order holds.
        var amounts = payee.Vouchers.Select(v => v.CumulativeAmount).ToArray();
        amounts.Distinct().ShouldBe([10, 25]);
        amounts.ShouldBe(amounts.Order());
        channel.Acknowledged.ShouldBe(new BigInteger(25));
        channel.Exposure.ShouldBe(BigInteger.Zero);
        (await w.Store.GetChannelAsync(w.Key))!.Acknowledged.ShouldBe(new BigInteger(25));
        var sent = payee.Vouchers.Count;
        (await channel.DeliverPendingAsync()).ShouldBeTrue();
        payee.Vouchers.Count.ShouldBe(sent); // nothing resent
    }

    [Fact]
    public async Task Pay_PayeeHoldsAHigherOne_StaleCountsAsDelivered()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey)
        {
            OnVoucher = v => Task.FromResult(new AckFrame(v.ChannelId, AckOutcome.Rejected, VoucherRejectCode.Stale, v.CumulativeAmount, 5)),
        };
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.PayAsync(10);

        outcome.ShouldBeOfType<PaymentDelivered>().Ack.RejectCode.ShouldBe(VoucherRejectCode.Stale);
        channel.Acknowledged.ShouldBe(new BigInteger(5));
    }

    [Fact]
    public async Task Pay_PayeeRejects_RejectedWithTheAckAndTheMeterSaysSo()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey)
        {
            OnVoucher = v => Task.FromResult(new AckFrame(v.ChannelId, AckOutcome.Rejected, VoucherRejectCode.WrongSigner, v.CumulativeAmount, 0)),
        };
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var meter = new UsageMeter(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), MaxUnpaidCredit = 15 });

        var rejected = await meter.RecordAsync(2);
        (await meter.RecordAsync(1)).Status.ShouldBe(MeterStatus.Recorded);
        var settled = await meter.SettleUpAsync();

        rejected.Status.ShouldBe(MeterStatus.Rejected);
        rejected.Payment.ShouldBeOfType<PaymentRejected>().Ack.RejectCode.ShouldBe(VoucherRejectCode.WrongSigner);
        rejected.Paid.ShouldBe(new BigInteger(20)); // signed and stored: the payee could still redeem it
        settled.Status.ShouldBe(MeterStatus.Rejected);
        settled.Paid.ShouldBe(new BigInteger(30));
        channel.Acknowledged.ShouldBe(BigInteger.Zero);
        channel.Exposure.ShouldBe(new BigInteger(30));
    }

    [Fact]
    public async Task Pay_PayeeUnreachable_QueuedDurablyAndNothingAcknowledged()
    {
        using var w = new PayerWorld(1_000);
        await StreamToAsync(w, new Uri($"ws://127.0.0.1:{ClosedPort()}/"));
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.PayAsync(10);

        outcome.ShouldBeOfType<PaymentQueued>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(10));
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(new BigInteger(10));
        channel.Acknowledged.ShouldBe(BigInteger.Zero);
        (await channel.DeliverPendingAsync()).ShouldBeFalse();
        (await channel.RequestReceiptAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task Deliver_PayeeUnavailable_QueuedThenResentAfterTheRetryDelay()
    {
        using var w = new PayerWorld(1_000);
        await SignOfflineAsync(w, 10);
        var answers = 0;
        await using var payee = new FakePayee(w.PayeeKey)
        {
            OnVoucher = v => Task.FromResult(Interlocked.Increment(ref answers) == 1
                ? new AckFrame(v.ChannelId, AckOutcome.Rejected, VoucherRejectCode.Unavailable, v.CumulativeAmount, 0)
                : new AckFrame(v.ChannelId, AckOutcome.Accepted, null, v.CumulativeAmount, v.CumulativeAmount)),
        };
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        await EventuallyAsync(() => payee.Vouchers.Count == 1); // sent on connect, answered Unavailable
        channel.Acknowledged.ShouldBe(BigInteger.Zero);

        await EventuallyAsync(() => channel.Acknowledged == 10, () => w.Clock.Advance(client.Options.RetryDelay));
        payee.Vouchers.Select(v => v.CumulativeAmount).ShouldBe([10, 10]);
    }

    [Fact]
    public async Task Reconnect_AfterSigningOffline_OnlyTheNewestVoucherIsSentOnce()
    {
        using var w = new PayerWorld(1_000);
        await SignOfflineAsync(w, 30, 20);

        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var again = await w.ChannelAsync(client);

        await EventuallyAsync(() => again.Acknowledged == 50 && w.Store.GetChannelAsync(w.Key).Result!.Acknowledged == 50);
        payee.Vouchers.ShouldHaveSingleItem().CumulativeAmount.ShouldBe(new BigInteger(50));
    }

    [Fact]
    public async Task Load_ChannelWithUnacknowledgedVoucherOnAnAlreadyConnectedStream_SentAtOnce()
    {
        using var w = new PayerWorld(1_000);
        var p = new Contracts.ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Ethereum.Addresses.Address.Zero, 3600, 2);
        var second = w.Key with { ChannelId = p.Id };
        await w.Store.SaveChannelAsync(new Settlement.Channels.Payer.Storage.PayerChannelRecord(second, p, 500, 0, null, Settlement.Channels.Payer.Storage.PayerChannelStatus.Open));
        await using (var offline = w.NewClient())
        {
            await (await offline.GetChannelAsync(p.Id))!.SignNextAsync(33);
        }

        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(second))!.Record with { PayeeStreamUrl = payee.Url });
        await using var client = w.NewClient();
        var first = await w.ChannelAsync(client);
        await EventuallyAsync(() => first.Link!.IsConnected);

        var late = (await client.GetChannelAsync(p.Id))!;

        await EventuallyAsync(() => late.Acknowledged == 33);
        payee.Vouchers.ShouldHaveSingleItem().ShouldBe(payee.Vouchers[0] with { ChannelId = p.Id, CumulativeAmount = 33 });
    }

    [Fact]
    public async Task Dispose_ClosesThePayeeConnection()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        var client = w.NewClient();
        (await (await w.ChannelAsync(client)).PayAsync(1)).ShouldBeOfType<PaymentDelivered>();
        payee.OpenConnections.ShouldBe(1);

        await client.DisposeAsync();

        await EventuallyAsync(() => payee.OpenConnections == 0);
    }

    [Fact]
    public async Task DeliverPending_TwoCallersAtOnce_ShareOneSend()
    {
        using var w = new PayerWorld(1_000);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await EventuallyAsync(() => payee.Connections == 1);
        payee.OnVoucher = async v =>
        {
            await release.Task;
            return new AckFrame(v.ChannelId, AckOutcome.Accepted, null, v.CumulativeAmount, v.CumulativeAmount);
        };
        await channel.SignNextAsync(40);

        var a = channel.DeliverPendingAsync();
        await EventuallyAsync(() => payee.Vouchers.Count == 1);
        var b = channel.DeliverPendingAsync();
        release.SetResult();

        (await a).ShouldBeTrue();
        (await b).ShouldBeTrue();
        payee.Vouchers.ShouldHaveSingleItem().CumulativeAmount.ShouldBe(new BigInteger(40));
        channel.Acknowledged.ShouldBe(new BigInteger(40));
    }

    [Fact]
    public async Task RequestReceipt_PayeeSignsOne_KeptAndAcknowledged_AnErrorAnswerIsNull()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(60);

        (await channel.RequestReceiptAsync()).ShouldBeNull(); // the payee answers ERROR: holds nothing
        payee.OnReceiptRequest = r => payee.Receipt(w.Key, 60);
        var receipt = await channel.RequestReceiptAsync();

        receipt!.Cumulative.ShouldBe(new BigInteger(60));
        channel.NewestReceipt.ShouldBe(receipt);
        channel.Acknowledged.ShouldBe(new BigInteger(60));
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Receipt_PushedByThePayee_KeptByTheChannel()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        (await channel.PayAsync(70)).ShouldBeOfType<PaymentDelivered>();

        await payee.PushAsync(payee.Receipt(w.Key, 70));

        await EventuallyAsync(() => channel.NewestReceipt is not null);
        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(70));
    }

    [Fact]
    public async Task Refund_PushedByThePayee_CheckedAndStored_ForgedAndStaleOnesChangeNothing()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var outcomes = System.Threading.Channels.Channel.CreateUnbounded<RefundOutcome?>();
        channel.RefundHandled += outcome => outcomes.Writer.TryWrite(outcome);
        (await channel.PayAsync(70)).ShouldBeOfType<PaymentDelivered>(); // connected
        var genuine = Refund(w, w.PayeeKey, 40);

        await payee.PushAsync(RefundFrame.FromSignedVoucher(Refund(w, w.StrangerKey, 60)));
        (await outcomes.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.WrongSigner, 0));
        await payee.PushAsync(RefundFrame.FromSignedVoucher(genuine));
        (await outcomes.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 40));
        await payee.PushAsync(RefundFrame.FromSignedVoucher(Refund(w, w.PayeeKey, 30)));
        (await outcomes.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.Stale, 40));
        await payee.PushAsync(RefundFrame.FromSignedVoucher(Refund(w, w.PayeeKey, 501)));
        (await outcomes.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.ExceedsPayeeDeposit, 40));
        await payee.PushAsync(new RefundFrame(w.Key.ChannelId, 45, new byte[65])); // v = 0: not a signature
        (await outcomes.Reader.ReadAsync()).ShouldBeNull();

        channel.NewestRefund.ShouldBe(genuine);
        (await w.Store.GetChannelAsync(w.Key))!.Refund.ShouldBe(genuine);
        await using var restarted = w.NewClient();
        (await w.ChannelAsync(restarted)).NewestRefund.ShouldBe(genuine);
    }

    [Fact]
    public async Task Refund_ForAnotherChannel_IgnoredByThisOne()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var handled = 0;
        channel.RefundHandled += _ => Interlocked.Increment(ref handled);
        (await channel.PayAsync(70)).ShouldBeOfType<PaymentDelivered>();
        var other = new Voucher(ChannelId.FromBytes(Enumerable.Repeat((byte)0x99, 32).ToArray()), 40);
        await payee.PushAsync(RefundFrame.FromSignedVoucher(new SignedVoucher(other, other.Sign(w.PayeeKey, w.Contract.Domain))));

        // A receipt pushed after it arrives after it on the same connection: by then the refund was seen and ignored.
        await payee.PushAsync(payee.Receipt(w.Key, 70));
        await EventuallyAsync(() => channel.NewestReceipt is not null);

        Volatile.Read(ref handled).ShouldBe(0);
        channel.NewestRefund.ShouldBeNull();
    }

    [Fact]
    public async Task Channels_OnTheSameStream_ShareOneConnection()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        var p = new Contracts.ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Ethereum.Addresses.Address.Zero, 3600, 2);
        await w.Store.SaveChannelAsync(new Settlement.Channels.Payer.Storage.PayerChannelRecord(w.Key with { ChannelId = p.Id }, p, 500, 0, payee.Url, Settlement.Channels.Payer.Storage.PayerChannelStatus.Open));
        await using var client = w.NewClient();
        var a = await w.ChannelAsync(client);
        var b = (await client.GetChannelAsync(p.Id))!;

        (await a.PayAsync(1)).ShouldBeOfType<PaymentDelivered>();
        (await b.PayAsync(2)).ShouldBeOfType<PaymentDelivered>();

        b.Link.ShouldBeSameAs(a.Link);
        payee.Connections.ShouldBe(1);
    }

    private static SignedVoucher Refund(PayerWorld w, Ethereum.Signing.PrivateKey key, BigInteger amount)
    {
        var voucher = new Voucher(w.Key.ChannelId, amount);
        return new SignedVoucher(voucher, voucher.Sign(key, w.Contract.Domain));
    }

    private static async Task SignOfflineAsync(PayerWorld w, params int[] increments)
    {
        await using var offline = w.NewClient();
        var channel = await w.ChannelAsync(offline);
        foreach (var increment in increments)
        {
            await channel.SignNextAsync(increment);
        }
    }

    private static async Task StreamToAsync(PayerWorld w, Uri url) =>
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { PayeeStreamUrl = url });

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port; // closed again when disposed
    }

    /// <summary>Waits for background work (a reconnect, a receive loop); the limit only stops a hung test.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, Action? step = null)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            step?.Invoke();
            await Task.Delay(10, limit.Token);
        }
    }
}
