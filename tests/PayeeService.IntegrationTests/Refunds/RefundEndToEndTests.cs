using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Refunds;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Refunds;

/// <summary>
/// Refunds end to end on Anvil with the real payee service and the payer SDK (docs/payee.md, "Refunds"): the payee tops
/// up its side of the channel (<c>topUpPayee</c>), the payer streams vouchers, the operator issues refunds over HTTP,
/// the payer SDK receives them over its stream (and after a restart, over the new connection or by polling), and the
/// channel closes with the split read from the chain: the payee gains paid − refunded, the payer loses as much.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class RefundEndToEndTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private const string OperatorToken = "operator-token-for-tests-0123456789";

    [Fact]
    public async Task Refunds_StreamedSupersededAndFetchedAfterRestart_CooperativeCloseSplitIsPaidMinusRefunded()
    {
        // The payee's clock follows the chain's (other tests move chain time ahead), so its close agreement's deadline is
        // in the chain's future.
        var clock = await ShiftedClock.ChainAlignedAsync(fixture);
        await using var payee = await fixture.StartPayeeAsync(output, o => o.OperatorToken = OperatorToken, time: clock);
        await using var side = new PayerSide(fixture);
        var payeeBefore = await fixture.World.Token.BalanceOfAsync(fixture.Payee);
        var payerBefore = await fixture.World.Token.BalanceOfAsync(fixture.World.PayerKey.Address);
        var client = side.NewClient();
        var channel = await OpenAsync(client, payee, payeeDeposit: 200_000);
        var refunds = System.Threading.Channels.Channel.CreateUnbounded<RefundOutcome?>();
        channel.RefundHandled += outcome => refunds.Writer.TryWrite(outcome);
        for (var i = 0; i < 3; i++)
        {
            (await channel.PayAsync(10_000)).ShouldBeOfType<PaymentDelivered>(); // 30,000 prepaid for a session
        }

        // Without the operator token nothing is issued.
        (await IssueAsync(payee, channel.Key, 12_000, "session-1", token: null)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await IssueAsync(payee, channel.Key, 12_000, "session-1", token: "wrong-token-wrong-token-wrong")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        payee.Host.Engine.GetNewestRefund(channel.Key).ShouldBeNull();

        var (status, first) = await IssueAsync(payee, channel.Key, 12_000, "session-1");
        status.ShouldBe(HttpStatusCode.OK);
        first.GetProperty("cumulativeAmount").GetString().ShouldBe("12000");
        (await refunds.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 12_000));
        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(12_000));
        (await side.Store.GetChannelAsync(channel.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(12_000));

        // Above the payee's deposit (12,000 + 188,001 > 200,000): refused with its reason, nothing stored or sent.
        var (refusedStatus, refused) = await IssueAsync(payee, channel.Key, 188_001, "too-much");
        refusedStatus.ShouldBe(HttpStatusCode.Conflict);
        refused.GetProperty("reason").GetString().ShouldBe("exceedsPayeeDeposit");
        (await payee.OpenStore().GetNewestRefundAsync(channel.Key))!.Cumulative.ShouldBe(new BigInteger(12_000));
        (await payee.OpenStore().GetRefundAsync(channel.Key, "too-much")).ShouldBeNull();

        // A second refund supersedes the first; the next frame the payer sees is this one (the refused one was never sent).
        (await IssueAsync(payee, channel.Key, 8_000, "session-2")).Body.GetProperty("cumulativeAmount").GetString().ShouldBe("20000");
        (await refunds.Reader.ReadAsync()).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 20_000));
        channel.NewestRefund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(20_000));

        // A repeated request returns the voucher it signed, not a second increment.
        var (_, repeat) = await IssueAsync(payee, channel.Key, 12_000, "session-1");
        repeat.GetProperty("repeated").GetBoolean().ShouldBeTrue();
        repeat.GetProperty("cumulativeAmount").GetString().ShouldBe("12000");
        repeat.GetProperty("signature").GetString().ShouldBe(first.GetProperty("signature").GetString());

        // The payer stops; a refund issued while it is offline reaches the restarted payer over its new connection.
        await client.DisposeAsync();
        (await IssueAsync(payee, channel.Key, 5_000, "session-3")).Body.GetProperty("cumulativeAmount").GetString().ShouldBe("25000");
        await using var restarted = side.NewClient();
        var again = (await restarted.GetChannelAsync(channel.Id))!;
        await EventuallyAsync(() => again.NewestRefund?.Voucher.CumulativeAmount == 25_000);
        (await side.Store.GetChannelAsync(channel.Key))!.Refund!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(25_000));
        var polled = await again.FetchRefundAsync(new PayeeCloseAgreementClient(payee.Http));
        polled.ShouldBe(new RefundOutcome(RefundVerdict.Duplicate, 25_000));

        var closed = await again.CloseWithPayeeAsync(new PayeeCloseAgreementClient(payee.Http));

        closed.ShouldBe(new CloseOutcome(CloseResult.Settled, 30_000, 25_000, 0));
        (await fixture.World.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await fixture.World.Token.BalanceOfAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(30_000 - 25_000));
        (payerBefore - await fixture.World.Token.BalanceOfAsync(fixture.World.PayerKey.Address)).ShouldBe(new BigInteger(30_000 - 25_000));
        (await fixture.World.Channels.GetOwedAsync(fixture.World.Token.Address, fixture.Payee)).ShouldBe(BigInteger.Zero);
        (await fixture.World.Channels.GetOwedAsync(fixture.World.Token.Address, fixture.World.PayerKey.Address)).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Refund_UnilateralClose_PayerRedeemsItWithItsClose_SplitIsPaidMinusRefunded()
    {
        await using var payee = await fixture.StartPayeeAsync(output, o => o.OperatorToken = OperatorToken);
        await using var side = new PayerSide(fixture);
        var payeeBefore = await fixture.World.Token.BalanceOfAsync(fixture.Payee);
        var payerBefore = await fixture.World.Token.BalanceOfAsync(fixture.World.PayerKey.Address);
        await using var client = side.NewClient();
        var channel = await OpenAsync(client, payee, payeeDeposit: 100_000);
        (await channel.PayAsync(10_000)).ShouldBeOfType<PaymentDelivered>();
        (await channel.PayAsync(10_000)).ShouldBeOfType<PaymentDelivered>();

        (await IssueAsync(payee, channel.Key, 15_000, "unused")).Status.ShouldBe(HttpStatusCode.OK);
        await EventuallyAsync(() => channel.NewestRefund?.Voucher.CumulativeAmount == 15_000);

        // The payer closes alone: its refund is redeemed in the same transaction (startCloseWithVoucher).
        var closing = await channel.CloseAsync();
        closing.Result.ShouldBe(CloseResult.Closing);
        var state = await fixture.World.Channels.GetStateAsync(channel.Id);
        (state.RedeemedByPayer, state.IsClosing).ShouldBe((new BigInteger(15_000), true));
        await fixture.Node.MineAsync(); // one confirmation
        await payee.WaitForStatusAsync(channel.Key, body => !body.GetProperty("open").GetBoolean());

        // Closing: no refund is issued any more.
        var (status, refused) = await IssueAsync(payee, channel.Key, 1_000, "late");
        status.ShouldBe(HttpStatusCode.Conflict);
        refused.GetProperty("reason").GetString().ShouldBe("notOpen");

        // The payee redeems the payer's newest voucher within the challenge period; after it anyone settles.
        var newest = (await payee.NewestAsync(channel.Key))!;
        newest.Cumulative.ShouldBe(new BigInteger(20_000));
        await fixture.World.Channels.RedeemAsync(fixture.World.Payee, channel.Parameters, fixture.World.Channels.SignVoucher(fixture.World.PayerKey, channel.Id, 20_000));
        await fixture.World.PassChallengePeriodAsync();
        (await channel.SettleAsync()).Result.ShouldBe(CloseResult.Settled);

        (await fixture.World.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await fixture.World.Token.BalanceOfAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(20_000 - 15_000));
        (payerBefore - await fixture.World.Token.BalanceOfAsync(fixture.World.PayerKey.Address)).ShouldBe(new BigInteger(20_000 - 15_000));
    }

    [Fact]
    public async Task Refund_InvalidUtf8InsideTheBody_400BadRefundRequest_NothingIssued()
    {
        await using var payee = await fixture.StartPayeeAsync(output, o => o.OperatorToken = OperatorToken);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await OpenAsync(client, payee, payeeDeposit: 100_000);
        (await channel.PayAsync(10_000)).ShouldBeOfType<PaymentDelivered>();
        var statusBefore = await payee.StatusTextAsync(channel.Key);

        // 0xC3 0x28 (a lead byte then '(') inside the idempotency key: JsonDocument parses it and throws
        // InvalidOperationException only when the string is read, which answered 500 before the body was checked.
        byte[] body = [.. """{"amount":"1000","idempotencyKey":"k"""u8, 0xC3, 0x28, .. "\"}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/channels/{channel.Key.ChainId}/{channel.Key.Contract}/{channel.Key.ChannelId}/refunds", UriKind.Relative))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var response = await payee.Http.SendAsync(request);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.RootElement.GetProperty("title").GetString().ShouldBe("Bad refund request");
        using var newest = await payee.Http.GetAsync(new Uri($"v1/channels/{channel.Key.ChainId}/{channel.Key.Contract}/{channel.Key.ChannelId}/refund", UriKind.Relative));
        newest.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await payee.StatusTextAsync(channel.Key)).ShouldBe(statusBefore);
        var (status, issued) = await IssueAsync(payee, channel.Key, 1_000, "k");
        status.ShouldBe(HttpStatusCode.OK);
        issued.GetProperty("repeated").GetBoolean().ShouldBeFalse();
        issued.GetProperty("cumulativeAmount").GetString().ShouldBe("1000");
    }

    private async Task<PayerChannel> OpenAsync(PayerClient client, RunningPayee payee, BigInteger payeeDeposit)
    {
        var channel = await client.OpenAsync(
            new OpenChannelRequest(fixture.Payee, fixture.World.Token.Address, 1_000_000) { PayeeStreamUrl = payee.StreamUrl });
        await fixture.Node.MineAsync();
        await payee.WaitForStatusAsync(channel.Key, _ => true);

        // The payee funds its side of the channel, from which refunds are paid.
        await fixture.World.Token.ApproveAsync(fixture.World.Payee, fixture.Contract, payeeDeposit);
        await fixture.World.Channels.TopUpPayeeAsync(fixture.World.Payee, channel.Parameters, payeeDeposit);
        await fixture.Node.MineAsync();
        await EventuallyAsync(() => payee.Host.Engine.GetView(channel.Key)?.PayeeDeposit == payeeDeposit);
        (await fixture.World.Channels.GetStateAsync(channel.Id)).PayeeDeposit.ShouldBe(payeeDeposit);
        return channel;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> IssueAsync(
        RunningPayee payee, ChannelKey key, BigInteger amount, string id, string? token = OperatorToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}/refunds", UriKind.Relative))
        {
            Content = new StringContent($$"""{"amount":"{{amount}}","idempotencyKey":"{{id}}"}""", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await payee.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    // Polls state that another process (the payee service, the payer's receive loop) changes; bounded.
    private static async Task EventuallyAsync(Func<bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!done())
        {
            await Task.Delay(25, timeout.Token);
        }
    }
}
