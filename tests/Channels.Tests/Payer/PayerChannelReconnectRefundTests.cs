using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Tests.Payer.Delivery;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// What a channel does when its payee stream (re)connects (asks for a receipt only when the payee holds everything it
/// signed), and how a refund above the payee deposit last read makes the channel read the chain once, pushed or fetched.
/// </summary>
public sealed class PayerChannelReconnectRefundTests
{
    [Fact]
    public async Task LinkConnected_OpenAndEverythingAcknowledged_AsksForAReceiptAndKeepsIt()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        payee.OnReceiptRequest = r => payee.Receipt(w.Key, 50);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        (await channel.PayAsync(50)).ShouldBeOfType<PaymentDelivered>();
        channel.Acknowledged.ShouldBe(new BigInteger(50));

        // (The first connection's own handler may have asked already if it ran after the payment: either way, once
        // this returns a receipt is held; a channel that does not ask never gets one, the payee pushes none.)
        await channel.OnLinkConnectedAsync();

        channel.NewestReceipt.ShouldNotBeNull().Cumulative.ShouldBe(new BigInteger(50));
        (await w.Store.ListReceiptsAsync(w.Key)).ShouldContain(r => r.Cumulative == 50);
    }

    [Fact]
    public async Task LinkConnected_NothingSigned_NoReceiptRequest()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        var requests = 0;
        payee.OnReceiptRequest = r =>
        {
            Interlocked.Increment(ref requests);
            return new ErrorFrame(VoucherRejectCode.UnknownChannel);
        };
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await EventuallyAsync(() => channel.Link!.IsConnected);

        await channel.OnLinkConnectedAsync();

        // Awaited: a request from this call would have been answered (and counted) before it returned.
        Volatile.Read(ref requests).ShouldBe(0);
        channel.Acknowledged.ShouldBe(BigInteger.Zero);
        channel.NewestReceipt.ShouldBeNull();
    }

    [Theory]
    [InlineData(0, 1)] // above the payee deposit last read: the chain is read once, and its 500 covers the refund
    [InlineData(500, 0)] // within it: accepted without a chain read
    public async Task RefundPushed_Accepted_TheChainReadOnlyWhenAboveThePayeeDepositLastRead(int depositLastRead, int chainReads)
    {
        using var w = new PayerWorld(1_000, payeeDeposit: depositLastRead, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 500, 0, 0);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var outcomes = System.Threading.Channels.Channel.CreateUnbounded<RefundOutcome?>();
        channel.RefundHandled += outcome => outcomes.Writer.TryWrite(outcome);
        (await channel.PayAsync(70)).ShouldBeOfType<PaymentDelivered>();
        var reads = w.Chain.StateReads;

        await payee.PushAsync(RefundFrame.FromSignedVoucher(Refund(w, 40)));

        (await outcomes.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 40));
        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(40));
        channel.PayeeDeposit.ShouldBe(new BigInteger(500));
        (w.Chain.StateReads - reads).ShouldBe(chainReads);
    }

    [Fact]
    public async Task FetchRefund_NullPayee_Throws()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await Should.ThrowAsync<ArgumentNullException>(() => channel.FetchRefundAsync(null!))).ParamName.ShouldBe("payee");
    }

    [Fact]
    public async Task FetchRefund_AboveTheDepositLastRead_ReadsTheChainOnceAndAccepts()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 0, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 500, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var refunds = new RefundPayee(RefundFrame.FromSignedVoucher(Refund(w, 40)));
        var reads = w.Chain.StateReads;

        var outcome = await channel.FetchRefundAsync(refunds.Client());

        outcome.ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 40));
        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(40));
        channel.PayeeDeposit.ShouldBe(new BigInteger(500));
        (w.Chain.StateReads - reads).ShouldBe(1);
        refunds.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task FetchRefund_WithinTheDepositLastRead_AcceptedWithoutReadingTheChain()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 500, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var refunds = new RefundPayee(RefundFrame.FromSignedVoucher(Refund(w, 40)));
        var reads = w.Chain!.StateReads;

        var outcome = await channel.FetchRefundAsync(refunds.Client());

        outcome.ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 40));
        w.Chain.StateReads.ShouldBe(reads);
    }

    private static SignedVoucher Refund(PayerWorld w, BigInteger amount)
    {
        var voucher = new Voucher(w.Key.ChannelId, amount);
        return new SignedVoucher(voucher, voucher.Sign(w.PayeeKey, w.Contract.Domain));
    }

    private static async Task StreamToAsync(PayerWorld w, Uri url) =>
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { PayeeStreamUrl = url });

    /// <summary>Waits for background work (the first connection); the limit only stops a hung test.</summary>
    private static async Task EventuallyAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }

    /// <summary>A payee service answering <c>GET …/refund</c> with one REFUND frame.</summary>
    private sealed class RefundPayee(RefundFrame refund) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public PayeeCloseAgreementClient Client() => new(new HttpClient(this, disposeHandler: false) { BaseAddress = new Uri("http://payee.test/") });

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var content = new ByteArrayContent(PayeeJsonCodec.EncodeUtf8(refund));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
