using System.Net;
using System.Text.Json;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http;

/// <summary>
/// <c>GET /v1/channels</c>: the channels the engine holds with their confirmed state and credit, for the dashboard
/// (docs/dashboard.md). The same figures as the per-channel status, and no signature.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class ChannelListHttpTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task ListChannels_PaidThenClosing_SameFiguresAsTheStatusAndNoSignature()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        var posted = await payee.PostVoucherAsync(PayeeFrameCodec.Encode(channel.Voucher(4_000)), json: false, fixture.ChainId, fixture.Contract.ToString());
        posted.Status.ShouldBe(HttpStatusCode.OK);
        var status = (await payee.StatusAsync(channel.Key)).Body;

        var row = await RowAsync(payee, channel.Id.ToString());
        row.GetProperty("state").GetString().ShouldBe("open");
        row.GetProperty("closeDeadline").ValueKind.ShouldBe(JsonValueKind.Null);
        row.GetProperty("payer").GetString().ShouldBe(channel.Parameters.Payer.ToString());
        foreach (var name in new[] { "paid", "remaining", "deposit" })
        {
            row.GetProperty(name).GetString().ShouldBe(status.GetProperty(name).GetString(), name);
        }

        row.GetProperty("paid").GetString().ShouldBe("4000");
        row.GetProperty("vouchersAccepted").GetInt64().ShouldBe(1);
        row.GetProperty("lastVoucherAt").GetDateTimeOffset().ShouldBe(status.GetProperty("newestVoucher").GetProperty("receivedAt").GetDateTimeOffset());
        row.TryGetProperty("signature", out _).ShouldBeFalse();
        (await payee.Http.GetStringAsync(new Uri("v1/channels", UriKind.Relative))).ShouldNotContain(status.GetProperty("newestVoucher").GetProperty("signature").GetString()![2..]);

        // The per-channel counter behind the dashboard's vouchers/s: only vouchers accepted and stored count.
        (await payee.PostVoucherAsync(PayeeFrameCodec.Encode(channel.Voucher(6_000)), json: false, fixture.ChainId, fixture.Contract.ToString()))
            .Status.ShouldBe(HttpStatusCode.OK);
        foreach (var repeatedOrStale in new[] { 6_000, 5_000 })
        {
            await payee.PostVoucherAsync(PayeeFrameCodec.Encode(channel.Voucher(repeatedOrStale)), json: false, fixture.ChainId, fixture.Contract.ToString());
        }

        row = await RowAsync(payee, channel.Id.ToString());
        row.GetProperty("paid").GetString().ShouldBe("6000");
        row.GetProperty("vouchersAccepted").GetInt64().ShouldBe(2);

        await fixture.World.Channels.StartCloseAsync(fixture.World.Payer, channel.Parameters);
        await fixture.Node.MineAsync();
        var deadline = (await fixture.World.Channels.GetStateAsync(channel.Id)).CloseDeadline;
        await payee.WaitForStatusAsync(channel.Key, s => !s.GetProperty("open").GetBoolean());
        row = await RowAsync(payee, channel.Id.ToString());
        row.GetProperty("state").GetString().ShouldBe("closing");
        row.GetProperty("closeDeadline").GetUInt64().ShouldBe(deadline);
        output.WriteLine(row.GetRawText());
    }

    private static async Task<JsonElement> RowAsync(RunningPayee payee, string channelId)
    {
        using var list = JsonDocument.Parse(await payee.Http.GetStringAsync(new Uri("v1/channels", UriKind.Relative)));
        return list.RootElement.EnumerateArray().Single(c => c.GetProperty("channelId").GetString() == channelId).Clone();
    }
}
