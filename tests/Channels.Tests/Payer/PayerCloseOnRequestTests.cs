using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// <see cref="PayerChannel.CloseIfPayeeRequestsAsync"/> and <see cref="PayerChannel.CloseWithPayeeAsync"/> against a
/// scripted payee service (GET …/close-request, POST …/close-agreement) and the fake chain: nothing is asked or sent
/// unless the payee asks, a refusal sends nothing, an agreement closes cooperatively. (The Anvil tests run the same
/// against the payee service.)
/// </summary>
public sealed class PayerCloseOnRequestTests
{
    private const ulong CloseDeadline = 1_900_000_000;

    [Fact]
    public async Task NoRequest_NotRequested_NoAgreementAsked_NothingSent_StillOpen()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(250);
        var payee = new ScriptedPayeeService();

        var outcome = await channel.CloseIfPayeeRequestsAsync(payee.Client());

        outcome.ShouldBe(new CloseOutcome(CloseResult.NotRequested, 250, 0, 0));
        payee.Requests.ShouldBe([$"GET /v1/channels/{w.Key.ChainId}/{w.Key.Contract}/{w.Key.ChannelId}/close-request"]);
        w.Chain!.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        (await channel.SignNextAsync(1)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(251));
    }

    [Fact]
    public async Task Requested_PayeeAgrees_ClosesCooperativelyWithItsAgreement()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(250);
        var payee = new ScriptedPayeeService
        {
            CloseRequest = $$"""{"channelId":"{{w.Key.ChannelId}}","requestedAt":"2026-12-02T11:00:00+00:00"}""",
            Agreement = (200, Agreement(channel, w.PayeeKey)),
        };

        var outcome = await channel.CloseIfPayeeRequestsAsync(payee.Client());

        outcome.ShouldBe(new CloseOutcome(CloseResult.Settled, 250, 0, 0));
        payee.Requests.Count.ShouldBe(2);
        payee.Requests[1].ShouldStartWith("POST ");
        w.Chain.Functions.ShouldBe(["cooperativeClose"]);
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closed);
    }

    [Fact]
    public async Task Requested_ThenThePayeeRefusesTheAgreement_PayeeRefused_NothingSent_StillOpen()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(250);
        var payee = new ScriptedPayeeService
        {
            CloseRequest = $$"""{"channelId":"{{w.Key.ChannelId}}","requestedAt":"2026-12-02T11:00:00+00:00"}""",
            Agreement = (409, """{"reason":"NotIdle"}"""),
        };

        var outcome = await channel.CloseIfPayeeRequestsAsync(payee.Client());

        outcome.ShouldBe(new CloseOutcome(CloseResult.PayeeRefused, 250, 0, 0));
        w.Chain!.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Open);
    }

    [Fact]
    public async Task NullPayeeClient_Throws()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await Should.ThrowAsync<ArgumentNullException>(() => channel.CloseIfPayeeRequestsAsync(null!))).ParamName.ShouldBe("payee");
        (await Should.ThrowAsync<ArgumentNullException>(() => channel.CloseWithPayeeAsync(null!))).ParamName.ShouldBe("payee");
    }

    [Fact]
    public async Task Close_PayeeSignatureWithoutItsDeadline_ThrowsAndNothingChanges()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(400);
        var theirs = channel.CloseState(CloseDeadline).Sign(w.PayeeKey, w.Contract.Domain);

        var thrown = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => channel.CloseAsync(theirs));

        thrown.ParamName.ShouldBe("closeDeadline");
        thrown.Message.ShouldStartWith("A cooperative close needs the deadline of the agreement the payee signed.");
        w.Chain!.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        (await channel.SignNextAsync(1)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(401));
    }

    private static string Agreement(PayerChannel channel, PrivateKey payeeKey)
    {
        var state = channel.CloseState(CloseDeadline);
        var signature = state.Sign(payeeKey, channel.Client.Contract.Domain);
        return string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"channelId":"{{state.ChannelId}}","payerToPayee":"{{state.PayerToPayee}}","payeeToPayer":"{{state.PayeeToPayer}}","deadline":{{state.Deadline}},"signature":"{{signature}}"}""");
    }

    /// <summary>The payee service's close endpoints, scripted: GET answers the request (404 when none), POST the agreement.</summary>
    private sealed class ScriptedPayeeService : HttpMessageHandler
    {
        public string? CloseRequest { get; init; }

        public (int Status, string Body) Agreement { get; init; } = (409, """{"reason":"NotIdle"}""");

        public List<string> Requests { get; } = [];

        public PayeeCloseAgreementClient Client() => new(new HttpClient(this) { BaseAddress = new Uri("http://payee.test/") });

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            var (status, body) = request.Method == HttpMethod.Get
                ? CloseRequest is null ? (404, """{"reason":"NoCloseRequest"}""") : (200, CloseRequest)
                : Agreement;
            return Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
