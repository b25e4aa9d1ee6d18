using System.Net;
using Settlement.Channels.Payer;

namespace Settlement.Channels.Tests.Payer.Delivery;

/// <summary>
/// The payee link's own state as a channel sees it: not connected while the payee is unreachable, one connection kept
/// across payments and ERROR answers.
/// </summary>
public sealed class PayeeLinkStateTests
{
    [Fact]
    public async Task Link_PayeeUnreachable_NotConnectedAndTheVoucherQueued()
    {
        using var w = new PayerWorld(1_000);
        await StreamToAsync(w, new Uri($"ws://127.0.0.1:{ClosedPort()}/"));
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        // PayAsync waits for the first connection attempt: it has failed when the payment comes back queued.
        (await channel.PayAsync(10)).ShouldBeOfType<PaymentQueued>();

        channel.Link!.IsConnected.ShouldBeFalse();
        channel.Link.Connections.ShouldBe(0);
    }

    [Fact]
    public async Task Link_PayeeThere_ConnectedOnceThePaymentIsDelivered()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.PayAsync(10)).ShouldBeOfType<PaymentDelivered>();

        channel.Link!.IsConnected.ShouldBeTrue();
        channel.Link.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task RequestReceipt_AfterTheClientIsDisposed_NullAndNoNewConnection()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        payee.OnReceiptRequest = r => payee.Receipt(w.Key, 10);
        await StreamToAsync(w, payee.Url);
        var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        (await channel.PayAsync(10)).ShouldBeOfType<PaymentDelivered>();
        await client.DisposeAsync();

        // The limit only stops a hung test (a disposed link that started connecting again and is never answered).
        (await channel.RequestReceiptAsync().WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeNull();

        channel.Link!.IsConnected.ShouldBeFalse();
        channel.Link.Connections.ShouldBe(1);
        payee.Connections.ShouldBe(1);
    }

    private static int ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port; // closed again when disposed
    }

    [Fact]
    public async Task RequestReceipt_PayeeAnswersError_NullAndTheConnectionKept()
    {
        using var w = new PayerWorld(1_000);
        await using var payee = new FakePayee(w.PayeeKey);
        await StreamToAsync(w, payee.Url);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        (await channel.PayAsync(10)).ShouldBeOfType<PaymentDelivered>();

        (await channel.RequestReceiptAsync()).ShouldBeNull(); // ERROR: the payee holds no receipt to give
        (await channel.RequestReceiptAsync()).ShouldBeNull();

        // An ERROR answer is not a broken connection: both requests went over the first one.
        payee.Connections.ShouldBe(1);
        channel.Link!.Connections.ShouldBe(1);
        channel.Link.IsConnected.ShouldBeTrue();
    }

    private static async Task StreamToAsync(PayerWorld w, Uri url) =>
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { PayeeStreamUrl = url });
}
