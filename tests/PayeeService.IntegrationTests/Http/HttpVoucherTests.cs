using System.Net;
using System.Numerics;
using System.Text;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http;

/// <summary>
/// <c>POST /v1/vouchers/{chainId}/{contract}</c>: one voucher per request, binary or JSON. 200 with an ACK when stored
/// (or a duplicate), 422 with the refusing ACK, 429 for a velocity refusal, 400 with an ERROR for a body that is not a
/// voucher; nothing changes on a refusal.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class HttpVoucherTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private const int Deposit = 1_000_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostVoucher_AcceptedThenEveryRefusal_StatusCodeAndAckAndStateUnchanged(bool json)
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);
        var contract = fixture.Contract.ToString();

        var accepted = await PostAsync(payee, channel.Voucher(1_000), json);
        accepted.Status.ShouldBe(HttpStatusCode.OK);
        accepted.Frame.ShouldBe(new AckFrame(channel.Id, AckOutcome.Accepted, null, 1_000, 1_000));
        accepted.ContentType.ShouldBe(json ? "application/json" : "application/octet-stream");
        var duplicate = await PostAsync(payee, channel.Voucher(1_000), json);
        duplicate.Status.ShouldBe(HttpStatusCode.OK);
        duplicate.Frame.ShouldBe(new AckFrame(channel.Id, AckOutcome.Duplicate, null, 1_000, 1_000));
        var status = await payee.StatusTextAsync(channel.Key);

        async Task Refused(VoucherFrame voucher, VoucherRejectCode code, BigInteger stored, ulong? chainId = null, string? inContract = null)
        {
            var answer = await PostAsync(payee, voucher, json, chainId, inContract);
            answer.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, code.ToString());
            answer.Frame.ShouldBe(new AckFrame(voucher.ChannelId, AckOutcome.Rejected, code, voucher.CumulativeAmount, stored));
        }

        await Refused(channel.Voucher(2_000, fixture.World.OtherKey), VoucherRejectCode.WrongSigner, 1_000);
        await Refused(channel.Voucher(500), VoucherRejectCode.Stale, 1_000);
        await Refused(channel.Voucher(Deposit + 1), VoucherRejectCode.ExceedsDeposit, 1_000);
        await Refused(channel.Voucher(2_000), VoucherRejectCode.WrongChain, 0, chainId: fixture.ChainId + 1);
        await Refused(channel.Voucher(2_000), VoucherRejectCode.WrongContract, 0, inContract: fixture.World.Token.Address.ToString());

        // Bodies that are not a voucher: 400 with an ERROR in the request's form.
        async Task Bad(byte[] body, VoucherRejectCode code)
        {
            var answer = await payee.PostVoucherAsync(body, json, fixture.ChainId, contract);
            answer.Status.ShouldBe(HttpStatusCode.BadRequest, $"{body.Length} bytes");
            answer.Frame.ShouldBe(new ErrorFrame(code));
        }

        if (json)
        {
            await Bad(Encoding.UTF8.GetBytes("{\"type\":\"voucher\""), VoucherRejectCode.MalformedFrame);
            await Bad(Encoding.UTF8.GetBytes(new string(' ', 5_000)), VoucherRejectCode.OversizedFrame);
            await Bad(Encoding.UTF8.GetBytes(new string(' ', 60_000)), VoucherRejectCode.OversizedFrame);
            await Bad(PayeeJsonCodec.EncodeUtf8(new ReceiptRequestFrame(channel.Id)), VoucherRejectCode.MalformedFrame);
        }
        else
        {
            await Bad([0x02, 0x00], VoucherRejectCode.MalformedFrame);
            await Bad(new byte[129], VoucherRejectCode.OversizedFrame);
            await Bad(new byte[10_000], VoucherRejectCode.OversizedFrame);
            await Bad(PayeeFrameCodec.Encode(new ReceiptRequestFrame(channel.Id)), VoucherRejectCode.MalformedFrame);
        }

        // A bad chain id in the URL is a problem document.
        using (var content = new ByteArrayContent(PayeeFrameCodec.Encode(channel.Voucher(2_000))))
        using (var response = await payee.Http.PostAsync(new Uri($"v1/vouchers/x1/{contract}", UriKind.Relative), content))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await payee.NewestAsync(channel.Key))!.Cumulative.ShouldBe(new BigInteger(1_000));
        (await payee.StatusTextAsync(channel.Key)).ShouldBe(status);
        await payee.HealthAsync();
    }

    [Fact]
    public async Task PostVoucher_AboveVelocityLimit_TooManyRequests()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output, o => o.Engine.Velocity.ChannelPaymentsPerSecondRefuse = 2);

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 10; i++)
        {
            var answer = await PostAsync(payee, channel.Voucher(i * 10), json: false);
            statuses.Add(answer.Status);
            if (answer.Status == HttpStatusCode.TooManyRequests)
            {
                var ack = answer.Frame.ShouldBeOfType<AckFrame>();
                ack.RejectCode.ShouldBe(VoucherRejectCode.VelocityLimit);
                ack.StoredAmount.ShouldBe(new BigInteger((i - 1) * 10));
                break;
            }
        }

        statuses.ShouldContain(HttpStatusCode.TooManyRequests, string.Join(",", statuses));
        await payee.HealthAsync();
    }

    private Task<(HttpStatusCode Status, PayeeFrame? Frame, string ContentType)> PostAsync(
        RunningPayee payee, VoucherFrame voucher, bool json, ulong? chainId = null, string? contract = null) =>
        payee.PostVoucherAsync(
            json ? PayeeJsonCodec.EncodeUtf8(voucher) : PayeeFrameCodec.Encode(voucher),
            json,
            chainId ?? fixture.ChainId,
            contract ?? fixture.Contract.ToString());
}
