using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Hosting;

/// <summary>Stopping the service while vouchers are in flight keeps every acknowledged one.</summary>
[Collection(PayeeCollection.Name)]
public sealed class GracefulStopTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Dispose_ManyVouchersInFlight_EveryAcceptedAckIsStoredAndEveryStoredOneAcked()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);

        var stop = Task.Run(async () =>
        {
            await Task.Delay(500);
            await payee.StopAsync();
        });
        var pump = await VoucherPump.RunAsync(client, channel, 1, client.Hello.MaxVouchersInFlight, stop);

        var stored = (await payee.NewestAsync(channel.Key)).ShouldNotBeNull();
        output.WriteLine($"sent {pump.Next - 1}, accepted {pump.Accepted}, highest accepted {pump.HighestAccepted}, stored {stored.Cumulative}");
        pump.Accepted.ShouldBeGreaterThan(0);
        stored.Cumulative.ShouldBeGreaterThanOrEqualTo(pump.HighestAccepted);

        // A stop flushes the ACK of every voucher it stored before closing: none is stored unacknowledged.
        stored.Cumulative.ShouldBe(pump.HighestAccepted);
    }

    [Fact]
    public async Task HostDispose_Twice_SecondIsANoOp_ServerStopped()
    {
        await using var payee = await fixture.StartPayeeAsync(output);
        var status = new Uri(payee.Host.BaseUrl, "metrics");
        using var http = new HttpClient();
        (await http.GetAsync(status)).IsSuccessStatusCode.ShouldBeTrue();

        await payee.Host.DisposeAsync();
        await payee.Host.DisposeAsync(); // a lifetime hook and an `await using` may both dispose it

        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync(status));
    }
}
