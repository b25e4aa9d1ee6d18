using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payee;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;
using Settlement.PayeeService;
using Settlement.PayeeService.Watchtower;
using Settlement.Testing;
using Settlement.WatchtowerService;

namespace Settlement.Watchtower.IntegrationTests.Forwarding;

/// <summary>The payee service forwards each channel's newest accepted voucher to the watchtower (opt-in).</summary>
public sealed class PayeeForwardingTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Payee_WithWatchtowerUrl_WatchtowerEndsHoldingTheNewestVoucher()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var towerDb = new TempFile();
        using var payeeDb = new TempFile("payee.db");
        using var gas = EthereumDevNode.DevKey(TowerHarness.KeyIndex);
        var c = await w.OpenAsync(1000);
        await using var tower = await WatchtowerServiceHost.StartAsync(
            new WatchtowerServiceOptions
            {
                Database = towerDb.Path,
                RpcUrl = node.RpcUrl,
                Watchtower = new WatchtowerOptions { ChainId = node.ChainId, Contract = w.Channels.Address.ToString(), PollInterval = TimeSpan.FromHours(1) },
            },
            gas);
        await using var payee = await PayeeServiceHost.StartAsync(
            new PayeeServiceOptions
            {
                Database = payeeDb.Path,
                RpcUrl = node.RpcUrl,
                Confirmations = 0,
                Engine = new PayeeOptions { ChainId = node.ChainId, Contract = w.Channels.Address.ToString() },
                Watchtower = new WatchtowerForwardingOptions { Url = tower.BaseUrl, Interval = TimeSpan.FromMilliseconds(50) },
            },
            receiptKey: null);

        foreach (var amount in new[] { 100, 200, 300 })
        {
            using var content = new ByteArrayContent(PayeeJsonCodec.EncodeUtf8(VoucherFrame.FromSignedVoucher(w.Channels.SignVoucher(w.PayerKey, c.Id, amount))));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await Http.PostAsync(new Uri(payee.BaseUrl, $"v1/vouchers/{node.ChainId}/{w.Channels.Address}"), content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // The forwarder runs on its own interval: wait (bounded) until the watchtower holds the newest amount.
        var held = await WaitForHeldAsync(tower, c.Id.ToString(), "300", TimeSpan.FromSeconds(30));
        held.ShouldBe("300");
        var delegation = (await tower.Store.GetDelegationAsync(c.Id)).ShouldNotBeNull();
        delegation.Voucher.Voucher.TryRecoverSigner(w.Channels.Domain, delegation.Voucher.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(w.PayerKey.Address);
    }

    [Fact]
    public async Task Forwarder_Passes_OnlyNewestCrossesOncePerChannelAndFailuresBackOff()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var payeeDb = new TempFile("payee.db");
        var c = await w.OpenAsync(1000);
        var key = new ChannelKey(node.ChainId, w.Channels.Address, c.Id);
        var store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = payeeDb.Path });
        var state = await w.Channels.GetStateAsync(c.Id);
        await store.SaveChannelAsync(new Channels.Payee.Storage.StoredChannel(
            new PayeeChannelView(key, c, state.PayerDeposit, state.RedeemedByPayee, state.PayeeDeposit, state.RedeemedByPayer, state.CloseDeadline, false), 1));
        async Task StoreAsync(int amount)
        {
            var v = w.Channels.SignVoucher(w.PayerKey, c.Id, amount);
            await store.SaveNewestAsync([new Channels.Payee.Storage.StoredVoucher(key, w.PayerKey.Address, amount, v.Signature.ToRsv(), DateTimeOffset.UnixEpoch)]);
        }

        var handler = new RecordingHandler();
        var clock = new TestClock();
        var options = new WatchtowerForwardingOptions { Url = new Uri("http://127.0.0.1:1/"), Interval = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(20) };
        using var http = new HttpClient(handler) { BaseAddress = options.Url };
        var forwarder = new WatchtowerForwarder(store, new WatchtowerClient(http), options, clock, NullLogger<WatchtowerForwarder>.Instance);

        await StoreAsync(100);
        await StoreAsync(200);
        (await forwarder.ForwardOnceAsync(CancellationToken.None)).ShouldBe(1);
        handler.Amounts.ShouldBe(["200"]);
        (await forwarder.ForwardOnceAsync(CancellationToken.None)).ShouldBe(0); // nothing newer

        await StoreAsync(300);
        handler.Answer = HttpStatusCode.ServiceUnavailable;
        (await forwarder.ForwardOnceAsync(CancellationToken.None)).ShouldBe(1);
        (await forwarder.ForwardOnceAsync(CancellationToken.None)).ShouldBe(0); // backing off
        handler.Answer = HttpStatusCode.OK;
        clock.Advance(TimeSpan.FromSeconds(10));
        await StoreAsync(400);
        (await forwarder.ForwardOnceAsync(CancellationToken.None)).ShouldBe(1);
        handler.Amounts.ShouldBe(["200", "300", "400"]);
        forwarder.ForwardedAmount(key).ShouldBe(new BigInteger(400));
    }

    private static async Task<string?> WaitForHeldAsync(WatchtowerServiceHost tower, string channelId, string expected, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        string? held = null;
        while (DateTime.UtcNow < until)
        {
            using var response = await Http.GetAsync(new Uri(tower.BaseUrl, $"delegations/{channelId}"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                held = doc.RootElement.GetProperty("delegation").GetProperty("cumulativeAmount").GetString();
                if (held == expected)
                {
                    return held;
                }
            }

            await Task.Delay(20);
        }

        return held;
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

        public List<string> Amounts { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri!.AbsolutePath.ShouldBe("/delegations");
            DelegationJson.TryDecode(await request.Content!.ReadAsByteArrayAsync(cancellationToken), out var delegation, out var error).ShouldBeTrue(error);
            Amounts.Add(delegation.CumulativeAmount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new HttpResponseMessage(Answer);
        }
    }
}
