using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Testing;
using Settlement.WatchtowerService;

namespace Settlement.Watchtower.IntegrationTests.Http;

/// <summary><c>POST /delegations</c> and the read endpoints over real HTTP, against a real Anvil node.</summary>
public sealed class WatchtowerHttpTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Dispose_Twice_SecondIsANoOp_ServerStopped()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        using var gas = EthereumDevNode.DevKey(TowerHarness.KeyIndex);
        var host = await WatchtowerServiceHost.StartAsync(
            new WatchtowerServiceOptions
            {
                Database = db.Path,
                RpcUrl = node.RpcUrl,
                Watchtower = new WatchtowerOptions { ChainId = node.ChainId, Contract = w.Channels.Address.ToString(), PollInterval = TimeSpan.FromHours(1) },
            },
            gas);
        (await Http.GetAsync(new Uri(host.BaseUrl, "health"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        await host.DisposeAsync();
        await host.DisposeAsync(); // a lifetime hook and an `await using` may both dispose it

        await Should.ThrowAsync<HttpRequestException>(() => Http.GetAsync(new Uri(host.BaseUrl, "health")));
    }

    [Fact]
    public async Task PostDelegation_OverHttp_AcceptsRefusesWithReasonsAndWatchtowerAnswersTheClose()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        using var gas = EthereumDevNode.DevKey(TowerHarness.KeyIndex);
        var c = await w.OpenAsync(1000);
        await using var host = await WatchtowerServiceHost.StartAsync(
            new WatchtowerServiceOptions
            {
                Database = db.Path,
                RpcUrl = node.RpcUrl,
                Watchtower = new WatchtowerOptions
                {
                    ChainId = node.ChainId, Contract = w.Channels.Address.ToString(), Confirmations = 0, PollInterval = TimeSpan.FromHours(1),
                },
            },
            gas);

        var accepted = await PostAsync(host, Body(w, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 600)));
        accepted.Status.ShouldBe(HttpStatusCode.OK);
        accepted.Json.GetProperty("outcome").GetString().ShouldBe("accepted");
        accepted.Json.GetProperty("cumulativeAmount").GetString().ShouldBe("600");

        var repeated = await PostAsync(host, Body(w, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 600)));
        repeated.Status.ShouldBe(HttpStatusCode.OK);
        repeated.Json.GetProperty("outcome").GetString().ShouldBe("unchanged");

        var wrongSigner = await PostAsync(host, Body(w, c, w.Channels.SignVoucher(w.PayeeKey, c.Id, 700)));
        wrongSigner.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongSigner.Json.GetProperty("reason").GetString().ShouldBe("wrongSigner");

        var stale = await PostAsync(host, Body(w, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 500)));
        stale.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        stale.Json.GetProperty("reason").GetString().ShouldBe("notNewer");

        var wrongChain = await PostAsync(host, Body(w, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 700), chainId: 1));
        wrongChain.Json.GetProperty("reason").GetString().ShouldBe("wrongChain");

        var malformed = await PostAsync(host, "{\"chainId\":31337}");
        malformed.Status.ShouldBe(HttpStatusCode.BadRequest);
        malformed.Json.GetProperty("detail").GetString().ShouldBe("'contract' is missing or not an address.");

        var held = await GetJsonAsync(host, $"delegations/{c.Id}");
        held.GetProperty("delegation").GetProperty("cumulativeAmount").GetString().ShouldBe("600");
        held.GetProperty("redeem").ValueKind.ShouldBe(JsonValueKind.Null);
        (await Http.GetAsync(new Uri(host.BaseUrl, $"delegations/0x{new string('1', 64)}"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await w.Channels.StartCloseAsync(w.Payer, c);
        (await host.Follower.PollOnceAsync()).Sent.ShouldBe(1);
        var redeem = (await GetJsonAsync(host, $"delegations/{c.Id}")).GetProperty("redeem");
        var hash = Convert.FromHexString(redeem.GetProperty("transactionHash").GetString()![2..]);
        (await w.Rpc.WaitForReceiptAsync(hash, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5))).Succeeded.ShouldBeTrue();
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(600));

        (await GetJsonAsync(host, "alerts")).GetArrayLength().ShouldBe(0);
        var health = await GetJsonAsync(host, "health");
        health.GetProperty("status").GetString().ShouldBe("ok");
        health.GetProperty("closing").GetInt32().ShouldBe(1);
        var metrics = await GetJsonAsync(host, "metrics");
        metrics.GetProperty("delegationsAccepted").GetInt64().ShouldBe(1);
        metrics.GetProperty("delegationsRefused").GetInt64().ShouldBe(3);
        metrics.GetProperty("disputesSubmitted").GetInt64().ShouldBe(1);
    }

    private static string Body(ChannelWorld w, ChannelParameters c, SignedVoucher voucher, ulong? chainId = null) =>
        Encoding.UTF8.GetString(DelegationJson.Encode(chainId ?? w.Rpc.ChainId, w.Channels.Address, c, VoucherFrame.FromSignedVoucher(voucher)));

    private static async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(WatchtowerServiceHost host, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(new Uri(host.BaseUrl, "delegations"), content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<JsonElement> GetJsonAsync(WatchtowerServiceHost host, string path) =>
        JsonDocument.Parse(await Http.GetStringAsync(new Uri(host.BaseUrl, path))).RootElement.Clone();
}
