using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http;

/// <summary>
/// <c>POST /v1/channels/{chainId}/{contract}/{channelId}/close-agreement</c> on a payee over Anvil: the payee signs a
/// close at its newest amount and follows the client rule (docs/protocol.md) until the agreement is dead on chain.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class CloseAgreementHttpTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private const int Deposit = 1_000_000;

    [Fact]
    public async Task CloseAgreement_PayerKeepsPaying_RefusedUntilDeadThenAcceptedOldAgreementRevertsAndPayeeRedeems()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        // A short validity and margin keep the shared node's time jump small; the payee runs on the chain's time.
        var clock = await ShiftedClock.ChainAlignedAsync(fixture);
        await using var payee = await fixture.StartPayeeAsync(
            output,
            o =>
            {
                o.Engine.CloseAgreementValidity = TimeSpan.FromSeconds(30);
                o.Engine.CloseAgreementSkewMargin = TimeSpan.FromSeconds(5);
            },
            time: clock);
        var w = fixture.World;
        (await PostVoucherAsync(payee, channel.Voucher(500))).ShouldBe((HttpStatusCode.OK, new AckFrame(channel.Id, AckOutcome.Accepted, null, 500, 500)));

        var (status, body) = await PostAgreementAsync(payee, channel.Key.ChannelId.ToString());

        status.ShouldBe(HttpStatusCode.OK, body.GetRawText());
        body.GetProperty("payerToPayee").GetString().ShouldBe("500");
        body.GetProperty("payeeToPayer").GetString().ShouldBe("0");
        body.GetProperty("payee").GetString().ShouldBe(fixture.Payee.ToString());
        body.GetProperty("repeated").GetBoolean().ShouldBeFalse();
        var deadline = body.GetProperty("deadline").GetUInt64();
        var now = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
        deadline.ShouldBeInRange(now + 29, now + 30);
        var signature = EcdsaSignature.ParseRsv(Hex.Decode(body.GetProperty("signature").GetString()!));
        var agreed = new CooperativeCloseState(channel.Id, 500, 0, deadline);
        agreed.TryRecoverSigner(w.Channels.Domain, signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(fixture.Payee);

        var (againStatus, again) = await PostAgreementAsync(payee, channel.Key.ChannelId.ToString());
        againStatus.ShouldBe(HttpStatusCode.OK);
        again.GetProperty("repeated").GetBoolean().ShouldBeTrue();
        again.GetProperty("signature").GetString().ShouldBe(body.GetProperty("signature").GetString());

        // The payer keeps paying: refused while the agreement is live, and nothing is stored.
        (await PostVoucherAsync(payee, channel.Voucher(600)))
            .ShouldBe((HttpStatusCode.UnprocessableEntity, new AckFrame(channel.Id, AckOutcome.Rejected, VoucherRejectCode.CloseAgreed, 600, 500)));
        (await payee.NewestAsync(channel.Key))!.Cumulative.ShouldBe(new BigInteger(500));

        // The deadline passes on chain and, with the skew margin, on the payee's clock.
        await fixture.Node.IncreaseTimeAsync(40);
        await fixture.Node.MineAsync();
        (await w.LatestTimestampAsync()).ShouldBeGreaterThan(deadline);
        clock.Offset += TimeSpan.FromSeconds(40);
        ((ulong)clock.GetUtcNow().ToUnixTimeSeconds()).ShouldBeGreaterThan(deadline + 5);

        (await PostVoucherAsync(payee, channel.Voucher(600))).ShouldBe((HttpStatusCode.OK, new AckFrame(channel.Id, AckOutcome.Accepted, null, 600, 600)));
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(
            () => w.Channels.CooperativeCloseAsync(w.Payer, channel.Parameters, agreed, null, signature));
        ex.ErrorName.ShouldBe("CloseAgreementExpired");

        var stored = (await payee.NewestAsync(channel.Key))!;
        stored.Cumulative.ShouldBe(new BigInteger(600));
        await w.Channels.RedeemAsync(w.Payee, channel.Parameters, channel.Sign(600));
        stored.Signature.ShouldBe(channel.Sign(600).Signature.ToRsv());
        (await w.Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(new BigInteger(600));
    }

    [Fact]
    public async Task CloseAgreement_Refusals_ProblemWithReason()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);

        var (nothing, nothingBody) = await PostAgreementAsync(payee, channel.Key.ChannelId.ToString());
        nothing.ShouldBe(HttpStatusCode.Conflict);
        nothingBody.GetProperty("reason").GetString().ShouldBe("nothingToClose");

        var (unknown, unknownBody) = await PostAgreementAsync(payee, ChannelId.FromBytes(Enumerable.Repeat((byte)0x5A, 32).ToArray()).ToString());
        unknown.ShouldBe(HttpStatusCode.NotFound);
        unknownBody.GetProperty("reason").GetString().ShouldBe("unknownChannel");

        var (bad, _) = await PostAgreementAsync(payee, "0x12");
        bad.ShouldBe(HttpStatusCode.BadRequest);
        (await payee.OpenStore().ListCloseAgreementsAsync()).ShouldBeEmpty();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAgreementAsync(RunningPayee payee, string channelId)
    {
        using var response = await payee.Http.PostAsync(
            new Uri($"v1/channels/{fixture.ChainId.ToString(CultureInfo.InvariantCulture)}/{fixture.Contract}/{channelId}/close-agreement", UriKind.Relative),
            null);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, PayeeFrame? Frame)> PostVoucherAsync(RunningPayee payee, VoucherFrame voucher)
    {
        var (status, frame, _) = await payee.PostVoucherAsync(PayeeFrameCodec.Encode(voucher), false, fixture.ChainId, fixture.Contract.ToString());
        return (status, frame);
    }
}
