using System.Net;
using System.Numerics;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;
using Settlement.PayeeService.IntegrationTests.Support;
using Settlement.Testing;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>
/// A payer-signed voucher refused as stale because a concurrent request's larger voucher was reserved first: the 402
/// middleware waits up to <see cref="Settlement.PayeeService.Http402.PaymentRequiredOptions.StoreWait"/> (on the payee's
/// clock, here a <see cref="TestClock"/>) for that voucher to be stored, whose write a <see cref="HeldWriteVoucherStore"/>
/// holds. Over the payee engine, its SQLite store and Anvil.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class StaleVoucherWaitTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(3);

    /// <summary>A stuck test fails after this much real time instead of hanging (a safety net, not a measurement).</summary>
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Http402_StaleVoucher_LargerOneHeldPastStoreWait_402InsufficientFromWhatIsStored_NoErrorLogged()
    {
        await using var harness = await StartAsync();
        var (app, clock, store, channel, http) = harness;

        var larger = await harness.SendHeldAsync(2_000, SendAsync);
        var stale = SendAsync(http, channel.Sign(1_000));
        await harness.StoreWaitArmedAsync();
        clock.Advance(StoreWait);
        var (outcome, offer) = await stale.WaitAsync(Safety);

        // Nothing was stored within the wait: no credit, so the whole price is missing; the stored amount is the old one.
        outcome.ShouldBe(("insufficient_payment", "1000 more is needed; what this voucher added is kept as credit"));
        offer.Amount.ShouldBe(PaidApp.QuotePrice);
        offer.Stored.ShouldBe(BigInteger.Zero);
        offer.ChannelId.ShouldBe(channel.Id);
        larger.IsCompleted.ShouldBeFalse(); // its write is still held
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(BigInteger.Zero);

        store.Release();
        (await larger.WaitAsync(Safety)).Outcome.ShouldBe(("ok", null));
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(2_000);
        (await SendAsync(http, channel.Sign(1_000))).Outcome.ShouldBe(("voucher_reused", "this amount already paid for a request; sign a new one"));
        app.QuotesServed.ShouldBe(1);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty(); // the timeout is an answer, not a fault
    }

    [Fact]
    public async Task Http402_StaleVoucher_LargerOneStoredDuringTheWait_CreditedFromIt_OfferNamesTheNewStoredAmount()
    {
        await using var harness = await StartAsync();
        var (app, _, store, channel, http) = harness;

        // 700 then 600, price 1,000: neither covers it, so both answers show what was counted (no race between them).
        var larger = await harness.SendHeldAsync(700, SendAsync);
        var stale = SendAsync(http, channel.Sign(600));
        await harness.StoreWaitArmedAsync();
        store.Release(); // before the clock reaches the wait's end: the stale request wakes on the store
        var (outcome, offer) = await stale.WaitAsync(Safety);

        outcome.ShouldBe(("insufficient_payment", "300 more is needed; what this voucher added is kept as credit"));
        offer.Amount.ShouldBe(300); // the 700 the larger voucher brought counts for the stale one
        offer.Stored.ShouldBe(700); // the amount stored after the wait, not the 0 the refusal saw
        (outcome, offer) = await larger.WaitAsync(Safety);
        outcome.ShouldBe(("insufficient_payment", "300 more is needed; what this voucher added is kept as credit"));
        offer.Stored.ShouldBe(700);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(700);
        app.QuotesServed.ShouldBe(0);
        await app.StopAsync();
        app.LoggedErrors.ShouldBeEmpty();
    }

    [Fact]
    public async Task Http402_StaleVoucher_LargerOneStoredDuringTheWait_BothServed_PaidOnce()
    {
        await using var harness = await StartAsync();
        var (app, _, store, channel, http) = harness;

        var larger = await harness.SendHeldAsync(2_000, SendForReceiptAsync);
        var stale = SendForReceiptAsync(http, channel.Sign(1_000));
        await harness.StoreWaitArmedAsync();
        store.Release();
        var receipts = await Task.WhenAll(stale, larger).WaitAsync(Safety);

        receipts.ShouldAllBe(r => r.Cumulative == 2_000 && r.Charged == PaidApp.QuotePrice && r.ReceiptSignature != null);
        receipts.Select(r => r.Credit).Order().ShouldBe([BigInteger.Zero, new BigInteger(1_000)]); // in whichever order they claimed
        app.QuotesServed.ShouldBe(2);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(2_000);
    }

    [Fact]
    public async Task Http402_StaleVoucher_ClientAbortsDuringTheWait_EndsWithoutAnAnswer_NothingClaimed_TheSameVoucherPaysLater()
    {
        await using var harness = await StartAsync();
        var (app, _, store, channel, http) = harness;

        var larger = await harness.SendHeldAsync(2_000, SendAsync);
        using var abort = new CancellationTokenSource();
        using var request = Paid(channel.Sign(1_000));
        var stale = http.SendAsync(request, abort.Token);
        await harness.StoreWaitArmedAsync();
        await abort.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(stale);

        // The server sees the connection go, the wait ends with the abort (not as a timeout): no 402 written, no claim.
        (await app.Finished.Reader.ReadAsync().AsTask().WaitAsync(Safety)).ShouldBe("/quote 200 TaskCanceledException aborted=True");
        larger.IsCompleted.ShouldBeFalse();
        store.Release();
        (await larger.WaitAsync(Safety)).Outcome.ShouldBe(("ok", null));
        (await SendAsync(http, channel.Sign(1_000))).Outcome.ShouldBe(("ok", null)); // paid out of the 2,000's credit
        app.QuotesServed.ShouldBe(2);
        app.Engine.GetCredit(channel.Key)!.Paid.ShouldBe(2_000);
        await app.StopAsync();
        output.WriteLine($"logged errors: {string.Join(" | ", app.LoggedErrors)}");
        app.LoggedErrors.ShouldBeEmpty();
    }

    /// <summary>A fresh channel (1,000,000 deposited) and the paid app over a held-write store, with a client for it.</summary>
    private async Task<Harness> StartAsync()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);

        // The payee's clock starts at the chain's time (tests sharing the node move it), and moves only when told.
        var clock = new TestClock(DateTimeOffset.FromUnixTimeSeconds((long)await fixture.World.LatestTimestampAsync()));
        HeldWriteVoucherStore? store = null;
        var app = await PaidApp.StartAsync(fixture, output, o => o.StoreWait = StoreWait, clock, inner => store = new HeldWriteVoucherStore(inner));
        return new Harness(app, clock, store!, channel, new HttpClient { BaseAddress = app.BaseUrl });
    }

    private HttpRequestMessage Paid(SignedVoucher voucher)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "quote");
        request.Headers.Add(PaymentHeaders.Signature, Http402Codec.EncodeHeader(PaymentPayload.FromVoucher(fixture.ChainId, fixture.Contract, voucher)));
        return request;
    }

    private async Task<((string Error, string? Reason) Outcome, PaymentOffer Offer)> SendAsync(HttpClient http, SignedVoucher voucher)
    {
        using var request = Paid(voucher);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response.Headers.Contains(PaymentHeaders.Response).ShouldBeTrue();
            return (("ok", null), null!);
        }

        response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        Http402Codec.TryDecodeRequired(await response.Content.ReadAsByteArrayAsync(), out var required, out var error).ShouldBeTrue(error);
        return ((required.Error, required.Reason), required.Accepts.Single());
    }

    private async Task<PaymentResponse> SendForReceiptAsync(HttpClient http, SignedVoucher voucher)
    {
        using var request = Paid(voucher);
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Http402Codec.TryDecodeResponseHeader(response.Headers.GetValues(PaymentHeaders.Response).Single(), out var receipt, out var error).ShouldBeTrue(error);
        return receipt;
    }

    /// <summary>
    /// The app, its clock, its store, the channel and a client; disposing lets a held write go first, so a failed test
    /// stops cleanly.
    /// </summary>
    private sealed record Harness(PaidApp App, TestClock Clock, HeldWriteVoucherStore Store, TestChannel Channel, HttpClient Http) : IAsyncDisposable
    {
        /// <summary>
        /// Sends a voucher for <paramref name="cumulative"/> whose store write is held, and returns its request once
        /// that write has begun (so a smaller voucher sent next is refused as stale).
        /// </summary>
        public async Task<Task<T>> SendHeldAsync<T>(BigInteger cumulative, Func<HttpClient, SignedVoucher, Task<T>> send)
        {
            Store.Hold(cumulative);
            var sent = send(Http, Channel.Sign(cumulative));
            await Store.Entered.WaitAsync(Safety);
            return sent;
        }

        /// <summary>Returns once the stale request has armed its store wait on the clock (due <see cref="StoreWait"/> from now).</summary>
        public Task StoreWaitArmedAsync() => Clock.WaitForTimerDueAtAsync(Clock.GetUtcNow() + StoreWait).WaitAsync(Safety);

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            Store.Release();
            await App.DisposeAsync();
        }
    }
}
